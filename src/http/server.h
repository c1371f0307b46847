#pragma once

// The HTTP/1.1 server: a net::connection_factory serving a router's routes
// on a net::listener, plaintext or HTTPS (the listener's TLS context).
//
// Identity (auth.h): with a certificate mapper, a TLS client's verified
// certificate maps to the connection's principal (audited as mTLS; a subject
// no rule maps refuses the connection); with Basic authentication each
// request is authenticated before its route runs (401 after
// auth.failed_delay_ms otherwise). Routes see the principal in request::peer.
//
// Per connection, one request at a time: read it whole (header and body
// within the limits), run its handler on the factory's worker pool (handlers
// may block: registry writes wait for Kafka), write the response, then read
// the next one. Pipelined requests are therefore answered in order.
// Keep-alive follows HTTP/1.1 (and "Connection: keep-alive" on 1.0).
//
// Errors: a header over max_header_bytes answers 431, a body over
// max_body_bytes 413, a malformed request or target 400 (all with the JSON
// error body), then the connection closes. A request not read within
// read_timeout_ms, a keep-alive connection idle for idle_timeout_ms, or a
// response not written within write_timeout_ms closes the connection.
// A handler's exception is logged ("http" logger) and answered 500.

#include <cstddef>
#include <memory>
#include <string>

#include "http/auth.h"
#include "http/router.h"
#include "net/listener.h"
#include "security/principal_mapping.h"

namespace spate::http {

// The content type of Confluent Schema Registry answers.
inline constexpr const char* k_registry_content_type = "application/vnd.schemaregistry.v1+json";

struct http_options {
    size_t max_header_bytes = size_t{16} << 10;  // request line + headers
    size_t max_body_bytes = size_t{16} << 20;
    int read_timeout_ms = 30000;  // from the request's first byte to its last
    int idle_timeout_ms = 60000;  // waiting for the next request
    int write_timeout_ms = 30000;
    // Threads running handlers, shared by every connection of the factory.
    size_t worker_threads = 4;
    // For responses whose content_type is empty (errors included).
    std::string default_content_type = k_registry_content_type;
    auth_settings auth;
    // Password checks and the audit log; required with Basic authentication
    // or a certificate mapper.
    std::shared_ptr<identity_model> identity;
    // Set: a verified client certificate's subject is the principal (mTLS).
    std::shared_ptr<const security::principal_mapper> certificate_principals;
};

// The factory owns the worker pool and shares `routes` with its connections;
// destroying the last reference (factory and connections) joins the pool.
net::connection_factory make_http_connection_factory(std::shared_ptr<const router> routes,
                                                     http_options options = {});

}  // namespace spate::http
