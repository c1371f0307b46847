// min(x) and max(x) over insert-only input: the current extreme per slot.
// (Under retraction min/max keep every value's multiplicity: multiset.cc.)

#include "sql/agg/agg_detail.h"

namespace spate::sql::agg_detail {

namespace {

template <typename P>
struct extreme_state {
    key_type<P> best{};
    bool any = false;
};

template <typename P>
class extreme_aggregate final : public slot_states<extreme_state<P>> {
    using base = slot_states<extreme_state<P>>;
    using base::_s;

  public:
    explicit extreme_aggregate(bool max) : _max(max) {}

    sql_status update(std::span<const column> args, const column* filter,
                      std::span<const uint32_t> slots, std::span<const int8_t> diffs) override {
        row_span r = rows_of(args, 1, filter, slots, diffs, _s.size(), &args[0]);
        for (int8_t d : diffs)
            if (d < 0)
                return make_error(sql_errc::internal_error,
                                  "min()/max() for insert-only input received a retraction");
        column_reader<P> x(args[0]);
        extreme_state<P>* s = _s.data();
        if (_max)
            r.each([s, &x](size_t i, uint32_t slot, int64_t) { offer<true>(s[slot], x[i]); });
        else
            r.each([s, &x](size_t i, uint32_t slot, int64_t) { offer<false>(s[slot], x[i]); });
        return {};
    }
    sql_status merge(size_t into, const grouped_aggregate& other, size_t from) override {
        const auto& o = dynamic_cast<const extreme_aggregate&>(other)._s[from];
        if (!o.any) return {};
        if (_max)
            offer<true>(_s[into], o.best);
        else
            offer<false>(_s[into], o.best);
        return {};
    }
    sql_status result(size_t slot, column& out) const override {
        const auto& st = _s[slot];
        if (st.any)
            append_key(out, st.best);
        else
            out.push_null();
        return {};
    }
    void save(size_t slot, std::string& out) const override {
        const auto& st = _s[slot];
        state_writer w(out);
        w.u8(static_cast<uint8_t>(state_tag::extreme));
        w.u8(st.any ? 1 : 0);
        if (st.any) put_value(w, st.best);
    }
    sql_status load(size_t slot, std::string_view bytes) override {
        state_reader r(bytes);
        if (!read_tag(r, state_tag::extreme)) return bad_state("min/max");
        extreme_state<P> st;
        st.any = r.u8() != 0;
        if (st.any) st.best = get_value<key_type<P>>(r);
        if (!r.done()) return bad_state("min/max");
        _s[slot] = std::move(st);
        return {};
    }
    size_t slot_bytes(size_t slot) const override {
        if constexpr (std::is_same_v<P, std::string_view>)
            return _s[slot].best.capacity();
        else
            return 0;
    }

  private:
    template <bool Max, typename V>
    static void offer(extreme_state<P>& st, const V& v) {
        value_less<key_type<P>> less;
        if (st.any && !(Max ? less(st.best, v) : less(v, st.best))) return;
        st.best = v;
        st.any = true;
    }

    bool _max;
};

}  // namespace

std::unique_ptr<grouped_aggregate> make_extreme(const aggregate_call& call, bool max) {
    return with_physical(call.args[0]->type.id,
                         [max]<typename P>(phys<P>) -> std::unique_ptr<grouped_aggregate> {
                             return std::make_unique<extreme_aggregate<P>>(max);
                         });
}

}  // namespace spate::sql::agg_detail
