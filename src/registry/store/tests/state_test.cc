// The registry's semantics over the in-memory store (the same state and
// plans the topic-backed store uses), with the test-only token provider.

#include <gtest/gtest.h>

#include "registry/store/state_service.h"
#include "registry/store/tests/test_provider.h"

namespace spate::registry {
namespace state_test {
namespace {

using test_support::token_input;

class state_test : public ::testing::Test {
  protected:
    std::shared_ptr<service> _s = make_memory_store(test_support::token_providers());

    subject_schema reg(std::string_view subject, std::string text,
                       std::vector<schema_reference> refs = {}) {
        auto r = _s->register_schema(subject, token_input(std::move(text), std::move(refs)), {});
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
        return r.ok() ? *r : subject_schema{};
    }
    registry_errc reg_error(std::string_view subject, std::string text, register_options o = {}) {
        auto r = _s->register_schema(subject, token_input(std::move(text)), o);
        EXPECT_FALSE(r.ok());
        return r.ok() ? registry_errc::store_error : r.err().code;
    }
    std::vector<int32_t> versions(std::string_view subject, bool include_deleted = false) {
        std::vector<int32_t> out;
        auto vs = _s->versions(subject, include_deleted);
        if (vs.ok())
            for (auto v : *vs)
                out.push_back(v.value());
        return out;
    }
};

TEST_F(state_test, the_same_schema_registered_again_answers_its_existing_version_and_id) {
    auto first = reg("orders-value", "a b");
    EXPECT_EQ(first.version.value(), 1);
    EXPECT_EQ(first.id.value(), 1);
    // Whitespace does not change the canonical text.
    auto again = reg("orders-value", "  a   b ");
    EXPECT_EQ(again.version.value(), 1);
    EXPECT_EQ(again.id.value(), 1);
    EXPECT_EQ(again.schema, "a b");
    EXPECT_EQ(versions("orders-value"), (std::vector<int32_t>{1}));
}

TEST_F(state_test, the_same_schema_under_another_subject_reuses_its_id) {
    auto a = reg("a-value", "x y");
    auto b = reg("b-value", "x y");
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(b.version.value(), 1);
    auto subjects = _s->subjects_of(a.id, "", false);
    ASSERT_TRUE(subjects.ok());
    EXPECT_EQ(*subjects, (std::vector<std::string>{"a-value", "b-value"}));
    auto vs = _s->versions_of(a.id, "", false);
    ASSERT_TRUE(vs.ok());
    ASSERT_EQ(vs->size(), 2u);
    EXPECT_EQ((*vs)[1].subject, "b-value");
    EXPECT_EQ((*vs)[1].version.value(), 1);
}

TEST_F(state_test, new_schemas_get_the_next_id_and_the_next_version) {
    EXPECT_EQ(reg("s", "a").id.value(), 1);
    auto second = reg("s", "a b=1");
    EXPECT_EQ(second.id.value(), 2);
    EXPECT_EQ(second.version.value(), 2);
    auto other = reg("t", "c");
    EXPECT_EQ(other.id.value(), 3);
    EXPECT_EQ(other.version.value(), 1);
    auto got = _s->get_schema(schema_id(2), "");
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->schema, "a b=1");
    auto latest = _s->get_version("s", version_selector::latest(), false);
    ASSERT_TRUE(latest.ok());
    EXPECT_EQ(latest->version.value(), 2);
    EXPECT_EQ(_s->get_schema(schema_id(9), "").err().code, registry_errc::schema_not_found);
}

TEST_F(state_test, versions_are_not_reused_after_deletes) {
    reg("s", "a");
    reg("s", "a b=1");
    ASSERT_TRUE(_s->delete_version("s", version_selector::of(2), false).ok());
    ASSERT_TRUE(_s->delete_version("s", version_selector::of(2), true).ok());
    auto next = reg("s", "a c=1");
    EXPECT_EQ(next.version.value(), 3);
    EXPECT_EQ(next.id.value(), 3);  // id 2 is gone but not handed out again
    EXPECT_EQ(versions("s", true), (std::vector<int32_t>{1, 3}));
}

TEST_F(state_test, soft_deleted_versions_are_hidden_unless_deleted_ones_are_asked_for) {
    reg("s", "a");
    reg("s", "a b=1");
    auto deleted = _s->delete_version("s", version_selector::of(1), false);
    ASSERT_TRUE(deleted.ok());
    EXPECT_EQ(deleted->value(), 1);
    EXPECT_EQ(versions("s"), (std::vector<int32_t>{2}));
    EXPECT_EQ(versions("s", true), (std::vector<int32_t>{1, 2}));
    EXPECT_EQ(_s->get_version("s", version_selector::of(1), false).err().code,
              registry_errc::version_not_found);
    auto with_deleted = _s->get_version("s", version_selector::of(1), true);
    ASSERT_TRUE(with_deleted.ok());
    EXPECT_TRUE(with_deleted->deleted);
    // Deleting it softly again says so.
    EXPECT_EQ(_s->delete_version("s", version_selector::of(1), false).err().code,
              registry_errc::version_soft_deleted);
    // The id still answers (a consumer may hold data written with it).
    EXPECT_TRUE(_s->get_schema(schema_id(1), "").ok());
    EXPECT_EQ(_s->subjects_of(schema_id(1), "", false).err().code, registry_errc::schema_not_found);
    EXPECT_TRUE(_s->subjects_of(schema_id(1), "", true).ok());
}

TEST_F(state_test, a_soft_deleted_subject_leaves_listings_and_lookups) {
    reg("keep", "k");
    reg("gone", "a");
    reg("gone", "a b=1");
    auto deleted = _s->delete_subject("gone", false);
    ASSERT_TRUE(deleted.ok());
    EXPECT_EQ(deleted->size(), 2u);
    EXPECT_EQ(*_s->subjects("", false), (std::vector<std::string>{"keep"}));
    EXPECT_EQ(*_s->subjects("", true), (std::vector<std::string>{"gone", "keep"}));
    EXPECT_EQ(_s->versions("gone", false).err().code, registry_errc::subject_not_found);
    EXPECT_EQ(_s->delete_subject("gone", false).err().code, registry_errc::subject_soft_deleted);
    EXPECT_EQ(_s->lookup("gone", token_input("a"), false, false).err().code,
              registry_errc::subject_not_found);
    auto found = _s->lookup("gone", token_input("a"), false, true);
    ASSERT_TRUE(found.ok());
    EXPECT_TRUE(found->deleted);
}

TEST_F(state_test, permanent_deletes_need_a_soft_delete_first) {
    reg("s", "a");
    reg("s", "a b=1");
    EXPECT_EQ(_s->delete_subject("s", true).err().code, registry_errc::subject_not_soft_deleted);
    EXPECT_EQ(_s->delete_version("s", version_selector::of(1), true).err().code,
              registry_errc::version_not_soft_deleted);
    ASSERT_TRUE(_s->delete_subject("s", false).ok());
    auto gone = _s->delete_subject("s", true);
    ASSERT_TRUE(gone.ok());
    EXPECT_EQ(gone->size(), 2u);
    EXPECT_EQ(_s->versions("s", true).err().code, registry_errc::subject_not_found);
    EXPECT_EQ(_s->get_schema(schema_id(1), "").err().code, registry_errc::schema_not_found);
    EXPECT_EQ(_s->delete_subject("s", true).err().code, registry_errc::subject_not_found);
}

TEST_F(state_test, registering_a_soft_deleted_schema_again_makes_a_new_version_with_its_id) {
    auto v1 = reg("s", "a");
    reg("s", "a b=1");
    ASSERT_TRUE(_s->delete_version("s", version_selector::of(1), false).ok());
    auto again = reg("s", "a");
    EXPECT_EQ(again.version.value(), 3);
    EXPECT_EQ(again.id, v1.id);
    // The soft-deleted twin gave way to it.
    EXPECT_EQ(versions("s", true), (std::vector<int32_t>{2, 3}));
}

TEST_F(state_test, lookup_answers_the_version_holding_a_schema) {
    reg("s", "a");
    reg("s", "a b=1");
    auto found = _s->lookup("s", token_input(" a  b=1"), false, false);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->version.value(), 2);
    EXPECT_EQ(_s->lookup("s", token_input("z"), false, false).err().code,
              registry_errc::schema_not_found);
    EXPECT_EQ(_s->lookup("nope", token_input("a"), false, false).err().code,
              registry_errc::subject_not_found);
    EXPECT_EQ(_s->lookup("s", token_input("!"), false, false).err().code,
              registry_errc::invalid_schema);
}

TEST_F(state_test, normalize_makes_reordered_schemas_the_same) {
    register_options norm;
    norm.normalize = true;
    auto first = _s->register_schema("s", token_input("b a"), norm);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->schema, "a b");
    auto same = _s->register_schema("s", token_input("a b"), norm);
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same->version.value(), 1);
    EXPECT_TRUE(_s->lookup("s", token_input("b a"), true, false).ok());
    // Without normalize the order is significant.
    EXPECT_EQ(_s->lookup("s", token_input("b a"), false, false).err().code,
              registry_errc::schema_not_found);
}

TEST_F(state_test, invalid_schemas_and_empty_subjects_are_refused) {
    EXPECT_EQ(reg_error("s", "a !"), registry_errc::invalid_schema);
    EXPECT_EQ(reg_error("s", ""), registry_errc::invalid_schema);
    EXPECT_EQ(reg_error(":.ctx:", "a"), registry_errc::invalid_schema);
    EXPECT_TRUE(_s->subjects("", true)->empty());
}

TEST_F(state_test, list_schemas_gives_every_version_or_each_subjects_latest) {
    reg("a", "x");
    reg("a", "x y=1");
    reg("b", "z");
    auto all = _s->list_schemas("", false, false);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 3u);
    auto latest = _s->list_schemas("", false, true);
    ASSERT_TRUE(latest.ok());
    ASSERT_EQ(latest->size(), 2u);
    EXPECT_EQ((*latest)[0].version.value(), 2);
    auto only_b = _s->list_schemas("b", false, false);
    ASSERT_TRUE(only_b.ok());
    ASSERT_EQ(only_b->size(), 1u);
    EXPECT_EQ((*only_b)[0].subject, "b");
}

TEST_F(state_test, versions_reject_numbers_below_one_and_unknown_ones) {
    reg("s", "a");
    EXPECT_EQ(_s->get_version("s", version_selector::of(0), false).err().code,
              registry_errc::invalid_version);
    EXPECT_EQ(_s->get_version("s", version_selector::of(5), false).err().code,
              registry_errc::version_not_found);
    EXPECT_EQ(_s->get_version("s", version_selector::of(-1), false)->version.value(), 1);
    EXPECT_EQ(_s->get_version("t", version_selector::latest(), false).err().code,
              registry_errc::subject_not_found);
}

TEST_F(state_test, broker_validation_queries_answer_from_the_state) {
    auto a = reg("orders-value", "order_id amount");
    EXPECT_TRUE(_s->id_exists(a.id));
    EXPECT_FALSE(_s->id_exists(schema_id(42)));
    EXPECT_TRUE(_s->id_registered_under(a.id, "orders-value"));
    EXPECT_FALSE(_s->id_registered_under(a.id, "other-value"));
    EXPECT_EQ(_s->record_name_of(a.id), "order_id");
    EXPECT_EQ(_s->record_name_of(schema_id(42)), std::nullopt);
    ASSERT_TRUE(_s->delete_subject("orders-value", false).ok());
    EXPECT_FALSE(_s->id_registered_under(a.id, "orders-value"));
}

}  // namespace
}  // namespace state_test
}  // namespace spate::registry
