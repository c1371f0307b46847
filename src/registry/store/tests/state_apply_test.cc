// registry_state::apply over records as any registry may have written them.

#include <gtest/gtest.h>

#include "registry/store/state.h"
#include "registry/store/tests/test_provider.h"

namespace spate::registry {
namespace state_apply_test {
namespace {

schema_record version_record(std::string subject, int32_t version, int32_t id, std::string text,
                             bool deleted = false) {
    subject_schema s;
    s.subject = subject;
    s.version = schema_version(version);
    s.id = schema_id(id);
    s.schema = std::move(text);
    s.deleted = deleted;
    return schema_record{std::move(subject), schema_version(version), std::move(s)};
}

class state_apply_test : public ::testing::Test {
  protected:
    registry_state _state{test_support::token_providers()};

    // Applies a plan's records and answers its result, as a store does.
    template <typename T>
    T commit(outcome<write_plan<T>> plan) {
        EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.err().message);
        if (!plan.ok()) return T{};
        for (const auto& r : plan->records)
            _state.apply(r);
        return plan->answer;
    }
};

TEST_F(state_apply_test, a_record_giving_a_taken_id_to_another_schema_is_skipped) {
    _state.apply(version_record("a", 1, 1, "x"));
    _state.apply(version_record("b", 1, 1, "y"));
    EXPECT_EQ(_state.get_schema(schema_id(1), "")->schema, "x");
    EXPECT_EQ(_state.versions("b", true).err().code, registry_errc::subject_not_found);
    // The same schema under the same id is fine.
    _state.apply(version_record("c", 1, 1, "x"));
    EXPECT_EQ(*_state.subjects_of(schema_id(1), "", false), (std::vector<std::string>{"a", "c"}));
}

TEST_F(state_apply_test, delete_subject_soft_deletes_versions_up_to_its_version) {
    _state.apply(version_record("s", 1, 1, "a"));
    _state.apply(version_record("s", 2, 2, "a b=1"));
    _state.apply(version_record("s", 3, 3, "a c=1"));
    _state.apply(delete_subject_record{"s", schema_version(2)});
    auto live = _state.versions("s", false);
    ASSERT_TRUE(live.ok());
    EXPECT_EQ(*live, (std::vector<schema_version>{schema_version(3)}));
    // A tombstone of it changes nothing.
    _state.apply(delete_subject_record{"s", std::nullopt});
    EXPECT_EQ(_state.versions("s", false)->size(), 1u);
}

TEST_F(state_apply_test, clear_subject_forgets_soft_deleted_versions_in_its_scope) {
    _state.apply(version_record("s", 1, 1, "a", true));
    _state.apply(version_record("s", 2, 2, "a b=1"));
    _state.apply(version_record(":.c:t", 1, 1, "a", true));
    _state.apply(clear_subject_record{"s", false});
    EXPECT_EQ(*_state.versions("s", true), (std::vector<schema_version>{schema_version(2)}));
    EXPECT_EQ(_state.versions(":.c:t", true)->size(), 1u);
    _state.apply(clear_subject_record{":.c:", false});
    EXPECT_EQ(_state.versions(":.c:t", true).err().code, registry_errc::subject_not_found);
}

TEST_F(state_apply_test, plans_change_nothing_until_their_records_are_applied) {
    auto plan = _state.plan_register("s", test_support::token_input("a"), {});
    ASSERT_TRUE(plan.ok());
    ASSERT_EQ(plan->records.size(), 1u);
    EXPECT_EQ(_state.versions("s", true).err().code, registry_errc::subject_not_found);
    auto registered = commit(std::move(plan));
    EXPECT_EQ(registered.id.value(), 1);
    EXPECT_EQ(_state.get_version("s", version_selector::latest(), false)->schema, "a");
    // Nothing to write for what is already there.
    auto again = _state.plan_register("s", test_support::token_input("a"), {});
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->records.empty());
}

TEST_F(state_apply_test, a_permanent_subject_delete_also_removes_its_config_and_mode) {
    commit(_state.plan_register("s", test_support::token_input("a"), {}));
    commit(_state.plan_set_config("s", compat_level::full));
    commit(_state.plan_set_mode("s", registry_mode::readwrite, false));
    commit(_state.plan_delete_subject("s", false));
    commit(_state.plan_delete_subject("s", true));
    EXPECT_EQ(_state.get_config("s", false).err().code,
              registry_errc::subject_compat_not_configured);
    EXPECT_EQ(_state.get_mode("s", false).err().code, registry_errc::subject_mode_not_configured);
}

TEST_F(state_apply_test, a_rewritten_version_replaces_the_earlier_record) {
    _state.apply(version_record("s", 1, 1, "a"));
    _state.apply(version_record("s", 1, 1, "a", true));  // soft delete, as Confluent writes it
    EXPECT_EQ(_state.versions("s", false).err().code, registry_errc::subject_not_found);
    EXPECT_TRUE(_state.get_version("s", version_selector::of(1), true)->deleted);
    _state.apply(schema_record{"s", schema_version(1), std::nullopt});
    EXPECT_EQ(_state.get_schema(schema_id(1), "").err().code, registry_errc::schema_not_found);
}

}  // namespace
}  // namespace state_apply_test
}  // namespace spate::registry
