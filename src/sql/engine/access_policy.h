#pragma once

// Which topics a SQL session's principal may read and write: the engine
// consults an access_policy before a statement reads a source's topic or a
// sink writes its topic. The app implements it over the broker's
// authorizer (Kafka's ACLs, super.users); the SQL layer never sees the
// broker.
//
// What the engine asks (docs/sql.md, "Privileges"):
// - reading a source (CREATE SOURCE; a query, SUBSCRIBE, view or sink
//   reading it, through views transitively): read on its topic;
// - CREATE SINK: write on its topic, and create when the topic does not
//   exist yet (the sink creates it).
// A refusal is sql_errc::insufficient_privilege naming the topic; the
// statement changes nothing.
//
// Threading: called from any session's thread; implementations are
// thread-safe.

#include <string>
#include <string_view>

namespace spate::sql {

enum class topic_access {
    read,    // Kafka READ on the topic (implies DESCRIBE)
    write,   // Kafka WRITE on the topic
    create,  // Kafka CREATE on the cluster or on the topic
};

const char* topic_access_name(topic_access a);  // "READ", "WRITE", "CREATE"

// Who asks: the session's principal ("User:alice") and client address.
struct access_subject {
    std::string principal;
    std::string host;
};

class access_policy {
  public:
    virtual ~access_policy() = default;
    // Whether `who` may `access` topic `topic`. With `audit`, a refusal is
    // recorded (audit log, kind denied) with `statement` ("CREATE SOURCE",
    // "SELECT", ...) as its detail; without, the question is a probe.
    virtual bool allows(const access_subject& who, topic_access access, const std::string& topic,
                        std::string_view statement, bool audit) = 0;
};

}  // namespace spate::sql
