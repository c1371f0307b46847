#include "broker/handlers/handler_util.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "storage/log_manager.h"

namespace spate::broker::handlers {

namespace asio = boost::asio;

boost::asio::awaitable<status> await_durable(request_context& ctx, std::shared_ptr<storage::log> l,
                                             model::offset o) {
    struct state {
        explicit state(asio::any_io_executor ex)
            : timer(ex, asio::steady_timer::time_point::max()) {}
        asio::steady_timer timer;
        bool done = false;
        status result;
    };
    auto st = std::make_shared<state>(ctx.executor);
    auto ex = ctx.executor;
    l->when_durable(o, [st, ex](status s) {
        asio::post(ex, [st, s = std::move(s)] {
            st->done = true;
            st->result = s;
            st->timer.cancel();
        });
    });
    while (!st->done) {
        boost::system::error_code ec;
        co_await st->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_return st->result;
}

bool valid_topic_name(const std::string& name) {
    return storage::validate_topic_name(name).ok();
}

std::optional<storage::topic_info> find_topic_by_id(broker& b, const proto::uuid& id) {
    for (auto& t : b.logs().list_topics())
        if (to_uuid(t.id) == id) return t;
    return std::nullopt;
}

}  // namespace spate::broker::handlers
