// A JDBC client (PostgreSQL's pgJDBC, Debian libpostgresql-jdbc-java) against
// Spate: connect, a plain query, a PreparedStatement with typed parameters
// (server-side prepared after a few runs), an error's SQLState, and the
// connection still usable afterwards. Exits non-zero on the first mismatch.
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

public class JdbcSmoke {
    static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("FAIL: " + what);
            System.exit(1);
        }
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "spate");
        p.setProperty("prepareThreshold", "2");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + args[0] + "/spate", p)) {
            check(c.getMetaData().getDatabaseProductName().equals("PostgreSQL"), "product name");
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT n, s, n * 1.5 AS x FROM events ORDER BY n")) {
                int rows = 0;
                while (r.next()) {
                    rows++;
                    check(r.getInt(1) == rows, "row " + rows + " n=" + r.getInt(1));
                    check(r.getBigDecimal(3).compareTo(new BigDecimal(rows).multiply(new BigDecimal("1.5"))) == 0, "x of row " + rows);
                }
                check(rows == 3, "rows " + rows);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT s FROM events WHERE n = ? AND s <> ?")) {
                for (int i = 1; i <= 3; i++) {  // the third run uses a named server-side statement
                    ps.setLong(1, i);
                    ps.setString(2, "zzz");
                    try (ResultSet r = ps.executeQuery()) {
                        check(r.next(), "prepared run " + i + " found no row");
                        check(r.getString(1).equals(String.valueOf((char) ('a' + i - 1))), "prepared run " + i + ": " + r.getString(1));
                        check(!r.next(), "prepared run " + i + " found two rows");
                    }
                }
            }
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT * FROM missing");
                check(false, "unknown relation accepted");
            } catch (SQLException e) {
                check(e.getSQLState().equals("42P01"), "unknown relation SQLState " + e.getSQLState());
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 41 + 1")) {
                check(r.next() && r.getInt(1) == 42, "connection unusable after an error");
            }
        }
        System.out.println("ok");
    }
}
