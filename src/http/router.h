#pragma once

// Routes: a method and a path pattern ("/subjects/{subject}/versions") per
// handler. A pattern's segments are literals or `{name}` (any one non-empty
// segment, decoded, available as request::param(name)). When several
// routes match, the one with the most literal segments wins.
//
// Threading: add() before the router is shared; dispatch() from any thread.
// Handlers run on the server's worker threads and may block.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace spate::http {

// Answers one request. An exception escaping it is a bug: the server logs it
// and answers 500.
using handler = std::function<response(const request&)>;

class router {
  public:
    // `pattern` starts with '/'; a malformed pattern (no leading '/', an
    // empty or unclosed {}) is a bug: crashes.
    void add(verb method, std::string_view pattern, handler h);

    // Runs the route matching `segments` (parse_target's) and req.method,
    // with req.params filled. No route for the path: 404 (error_code 404); a
    // route for the path but not the method: 405 (error_code 405, with an
    // Allow header).
    response dispatch(request& req, const std::vector<std::string>& segments) const;

  private:
    struct segment {
        std::string text;  // the literal, or the parameter's name
        bool is_param = false;
    };
    struct route {
        verb method;
        std::string pattern;
        std::vector<segment> segments;
        size_t literals = 0;
        handler h;
    };
    static bool matches(const route& r, const std::vector<std::string>& segments);

    std::vector<route> _routes;
};

}  // namespace spate::http
