// bool_and, every and bool_or: counts of TRUE and FALSE inputs per slot
// (exact under retraction).

#include "sql/agg/agg_detail.h"

namespace spate::sql::agg_detail {

namespace {

struct truth_counts {
    int64_t trues = 0, falses = 0;
};

class bool_aggregate final : public slot_states<truth_counts> {
  public:
    explicit bool_aggregate(bool all) : _all(all) {}

    sql_status update(std::span<const column> args, const column* filter,
                      std::span<const uint32_t> slots, std::span<const int8_t> diffs) override {
        row_span r = rows_of(args, 1, filter, slots, diffs, _s.size(), &args[0]);
        const uint8_t* x = args[0].values<uint8_t>().data();
        truth_counts* s = _s.data();
        r.each([s, x](size_t i, uint32_t slot, int64_t d) {
            (x[i] ? s[slot].trues : s[slot].falses) += d;
        });
        return {};
    }
    sql_status merge(size_t into, const grouped_aggregate& other, size_t from) override {
        const auto& o = dynamic_cast<const bool_aggregate&>(other)._s[from];
        _s[into].trues += o.trues;
        _s[into].falses += o.falses;
        return {};
    }
    sql_status result(size_t slot, column& out) const override {
        const truth_counts& c = _s[slot];
        if (c.trues + c.falses <= 0)
            out.push_null();
        else
            out.push<uint8_t>(_all ? c.falses == 0 : c.trues > 0);
        return {};
    }
    void save(size_t slot, std::string& out) const override {
        state_writer w(out);
        w.u8(static_cast<uint8_t>(state_tag::boolean));
        w.i128(_s[slot].trues);
        w.i128(_s[slot].falses);
    }
    sql_status load(size_t slot, std::string_view bytes) override {
        state_reader r(bytes);
        if (!read_tag(r, state_tag::boolean)) return bad_state("bool_and/bool_or");
        truth_counts c;
        c.trues = r.i64();
        c.falses = r.i64();
        if (!r.done()) return bad_state("bool_and/bool_or");
        _s[slot] = c;
        return {};
    }
    size_t slot_bytes(size_t) const override { return 0; }

  private:
    bool _all;
};

}  // namespace

std::unique_ptr<grouped_aggregate> make_bool(const aggregate_call& call, bool all) {
    (void)call;
    return std::make_unique<bool_aggregate>(all);
}

}  // namespace spate::sql::agg_detail
