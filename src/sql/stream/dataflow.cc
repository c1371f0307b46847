#include "sql/stream/dataflow.h"

namespace spate::sql::detail {

namespace kc = kafka::client;

namespace {

class stateless_dataflow final : public dataflow {
  public:
    stateless_dataflow(const query_spec& spec, std::unique_ptr<record_router> router)
        : _spec(spec), _router(std::move(router)) {}

    std::vector<std::string> topics() const override {
        std::vector<std::string> out;
        for (const auto& in : _spec.inputs)
            out.push_back(in.topic);
        return out;
    }
    std::vector<std::string> written_topics() const override {
        std::vector<std::string> out{_spec.output_topic};
        for (const auto& in : _spec.inputs)
            if (!in.dead_letter_topic.empty()) out.push_back(in.dead_letter_topic);
        return out;
    }
    status assigned(const std::vector<kc::topic_partition>&, kc::consumer&) override { return {}; }
    void revoked(const std::vector<kc::topic_partition>&) override {}
    status process(std::span<const kc::message> batch, int64_t now_micros,
                   const record_sink& sink) override {
        return _router->route(batch, now_micros, sink);
    }
    bool wants_commit(std::chrono::steady_clock::time_point) const override { return false; }
    status prepare_commit(int64_t, const record_sink&) override { return {}; }
    std::string offset_metadata(const kc::topic_partition&) const override { return {}; }
    void delivered(const kc::delivery_report&) override {}
    bool wants_deliveries() const override { return false; }
    status committed() override { return {}; }
    void aborted() override {}

  private:
    const query_spec& _spec;
    std::unique_ptr<record_router> _router;
};

}  // namespace

std::unique_ptr<dataflow> make_stateless_dataflow(const query_spec& spec,
                                                  std::unique_ptr<record_router> router) {
    return std::make_unique<stateless_dataflow>(spec, std::move(router));
}

}  // namespace spate::sql::detail
