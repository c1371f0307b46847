#include "app/sql_security.h"

#include "base/assert.h"
#include "security/acl.h"

namespace spate::app {

namespace {

// Kafka ACL checks of SQL sessions, as a pgwire connection of the
// session's principal and host would make them.
class broker_sql_access final : public sql::access_policy {
  public:
    explicit broker_sql_access(kafka_lookup kafka) : _kafka(std::move(kafka)) {}

    bool allows(const sql::access_subject& who, sql::topic_access access, const std::string& topic,
                std::string_view statement, bool audit) override {
        auto* k = _kafka();
        if (!k) return true;
        auto& ac = k->access();
        net::connection_info conn;
        conn.listener = "pgwire";
        conn.peer_address = who.host;
        auto colon = who.principal.find(':');
        if (colon != std::string::npos) {
            conn.user.type = who.principal.substr(0, colon);
            conn.user.name = who.principal.substr(colon + 1);
        } else {
            conn.user.name = who.principal;
        }
        const std::string detail = "SQL " + std::string(statement);
        using op = security::acl_operation;
        using rt = security::resource_type;
        switch (access) {
            case sql::topic_access::read:
                return check(ac, conn, op::read, rt::topic, topic, detail, audit);
            case sql::topic_access::write:
                return check(ac, conn, op::write, rt::topic, topic, detail, audit);
            case sql::topic_access::create:
                if (ac.allowed(conn, op::create, rt::cluster, security::k_cluster_name))
                    return true;
                return check(ac, conn, op::create, rt::topic, topic, detail, audit);
        }
        return false;
    }

  private:
    static bool check(broker::access_control& ac, const net::connection_info& conn,
                      security::acl_operation op, security::resource_type type,
                      const std::string& name, const std::string& detail, bool audit) {
        return audit ? ac.authorize(conn, op, type, name, detail)
                     : ac.allowed(conn, op, type, name);
    }

    kafka_lookup _kafka;
};

}  // namespace

pgwire::auth_options pg_auth_options(const broker::pgwire_settings& settings,
                                     int32_t failed_delay_ms, kafka_lookup kafka) {
    pgwire::auth_options o;
    auto method = pgwire::parse_auth_method(settings.authentication);
    SPATE_ASSERT(method.has_value());  // the config key validated it
    o.method = *method;
    o.require_tls = settings.ssl_required;
    o.failed_delay_ms = failed_delay_ms;
    o.users = [kafka](const std::string& user,
                      security::scram_mechanism m) -> std::optional<security::scram_credential> {
        auto* k = kafka();
        if (!k) return std::nullopt;
        return k->credentials().store().find(user, m);
    };
    o.audit = [kafka](const security::audit_event& e) {
        auto* k = kafka();
        if (!k) return;
        if (auto* log = k->access().audit()) log->record(e);
    };
    return o;
}

std::shared_ptr<sql::access_policy> make_sql_access_policy(kafka_lookup kafka) {
    return std::make_shared<broker_sql_access>(std::move(kafka));
}

}  // namespace spate::app
