// References, compatibility levels, modes and contexts over the in-memory
// store, with the test-only token provider.

#include <gtest/gtest.h>

#include "registry/store/state_service.h"
#include "registry/store/tests/test_provider.h"

namespace spate::registry {
namespace state_rules_test {
namespace {

using test_support::token_input;

class state_rules_test : public ::testing::Test {
  protected:
    std::shared_ptr<service> _s = make_memory_store(test_support::token_providers());

    outcome<subject_schema> reg(std::string_view subject, std::string text,
                                std::vector<schema_reference> refs = {}, register_options o = {}) {
        return _s->register_schema(subject, token_input(std::move(text), std::move(refs)), o);
    }
    static register_options with_id(int32_t id, std::optional<int32_t> version = {}) {
        register_options o;
        o.id = schema_id(id);
        if (version) o.version = schema_version(*version);
        return o;
    }
};

TEST_F(state_rules_test, references_resolve_transitively_with_dependencies_first) {
    ASSERT_TRUE(reg("c", "c1").ok());
    ASSERT_TRUE(reg("b", "b1 @C", {{"C", "c", schema_version(1)}}).ok());
    // The token provider refuses @B unless C, which B needs, comes before it.
    auto a = reg("a", "a1 @B", {{"B", "b", schema_version(1)}});
    ASSERT_TRUE(a.ok()) << a.err().message;
    ASSERT_EQ(a->references.size(), 1u);
    EXPECT_EQ(a->references[0].subject, "b");
    auto by_id = _s->get_schema(a->id, "");
    ASSERT_TRUE(by_id.ok());
    EXPECT_EQ(by_id->references, a->references);
}

TEST_F(state_rules_test, a_reference_to_a_missing_version_is_an_invalid_schema) {
    ASSERT_TRUE(reg("c", "c1").ok());
    auto r = reg("a", "a1 @C", {{"C", "c", schema_version(2)}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, registry_errc::invalid_schema);
    EXPECT_NE(r.err().message.find("'c'"), std::string::npos) << r.err().message;
}

TEST_F(state_rules_test, a_latest_reference_is_stored_as_the_version_it_resolved_to) {
    ASSERT_TRUE(reg("c", "c1").ok());
    ASSERT_TRUE(reg("c", "c1 c2=0").ok());
    auto a = reg("a", "a1 @C", {{"C", "c", schema_version(-1)}});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(a->references[0].version.value(), 2);
}

TEST_F(state_rules_test, a_referenced_version_cannot_be_deleted) {
    auto c = reg("c", "c1");
    ASSERT_TRUE(c.ok());
    auto a = reg("a", "a1 @C", {{"C", "c", schema_version(1)}});
    ASSERT_TRUE(a.ok());
    auto by = _s->referenced_by("c", version_selector::of(1));
    ASSERT_TRUE(by.ok());
    EXPECT_EQ(*by, (std::vector<schema_id>{a->id}));
    EXPECT_EQ(_s->delete_version("c", version_selector::of(1), false).err().code,
              registry_errc::reference_exists);
    EXPECT_EQ(_s->delete_subject("c", false).err().code, registry_errc::reference_exists);
    // Once the referrer is soft-deleted the soft delete goes through, but a
    // permanent one still refuses while the referrer exists at all.
    ASSERT_TRUE(_s->delete_subject("a", false).ok());
    EXPECT_TRUE(_s->referenced_by("c", version_selector::of(1))->empty());
    ASSERT_TRUE(_s->delete_version("c", version_selector::of(1), false).ok());
    EXPECT_EQ(_s->delete_version("c", version_selector::of(1), true).err().code,
              registry_errc::reference_exists);
    ASSERT_TRUE(_s->delete_subject("a", true).ok());
    EXPECT_TRUE(_s->delete_version("c", version_selector::of(1), true).ok());
}

TEST_F(state_rules_test, an_incompatible_schema_is_refused_with_what_broke) {
    ASSERT_TRUE(reg("s", "a").ok());
    auto r = reg("s", "a b");  // BACKWARD: the new reader needs b, old data lacks it
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, registry_errc::incompatible_schema);
    EXPECT_NE(r.err().message.find("reader field 'b'"), std::string::npos) << r.err().message;
    auto report = _s->check("s", std::nullopt, token_input("a b"), false);
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->compatible);
    EXPECT_EQ(report->messages.size(), 1u);
    EXPECT_TRUE(_s->check("s", std::nullopt, token_input("a b=1"), false)->compatible);
    // Checking a subject that does not exist finds nothing to break.
    EXPECT_TRUE(_s->check("new", std::nullopt, token_input("x"), false)->compatible);
    EXPECT_EQ(_s->check("new", version_selector::latest(), token_input("x"), false).err().code,
              registry_errc::subject_not_found);
}

TEST_F(state_rules_test, transitive_levels_check_every_live_version) {
    ASSERT_TRUE(_s->set_config("s", compat_level::backward_transitive).ok());
    ASSERT_TRUE(reg("s", "a b").ok());
    ASSERT_TRUE(reg("s", "a b c=1").ok());
    // Against version 2 alone "a c" is fine; version 1's data lacks c, which
    // the candidate requires.
    EXPECT_TRUE(_s->check("s", version_selector::of(2), token_input("a c"), false)->compatible);
    auto r = reg("s", "a c");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().code, registry_errc::incompatible_schema);
    ASSERT_TRUE(_s->set_config("s", compat_level::backward).ok());
    EXPECT_TRUE(reg("s", "a c").ok());
}

TEST_F(state_rules_test, config_falls_back_from_subject_to_global_to_backward) {
    EXPECT_EQ(*_s->get_config(std::nullopt, false), compat_level::backward);
    EXPECT_EQ(_s->get_config("s", false).err().code, registry_errc::subject_compat_not_configured);
    EXPECT_EQ(*_s->get_config("s", true), compat_level::backward);
    ASSERT_TRUE(_s->set_config(std::nullopt, compat_level::full).ok());
    EXPECT_EQ(*_s->get_config("s", true), compat_level::full);
    ASSERT_TRUE(_s->set_config("s", compat_level::none).ok());
    EXPECT_EQ(*_s->get_config("s", false), compat_level::none);
    // With NONE anything goes.
    ASSERT_TRUE(reg("s", "a").ok());
    EXPECT_TRUE(reg("s", "z").ok());
    EXPECT_EQ(*_s->delete_config("s"), compat_level::none);
    EXPECT_EQ(*_s->get_config("s", true), compat_level::full);
    EXPECT_EQ(_s->delete_config("s").err().code, registry_errc::subject_not_found);
    EXPECT_EQ(*_s->delete_config(std::nullopt), compat_level::full);
    EXPECT_EQ(*_s->get_config(std::nullopt, false), compat_level::backward);
}

TEST_F(state_rules_test, read_only_mode_refuses_writes_but_not_reads) {
    ASSERT_TRUE(reg("s", "a").ok());
    ASSERT_TRUE(_s->set_mode("s", registry_mode::readonly, false).ok());
    EXPECT_EQ(reg("s", "a b=1").err().code, registry_errc::operation_not_permitted);
    EXPECT_EQ(_s->delete_subject("s", false).err().code, registry_errc::operation_not_permitted);
    EXPECT_TRUE(_s->get_version("s", version_selector::latest(), false).ok());
    // Registering what is already there answers it, as a read.
    EXPECT_TRUE(reg("s", "a").ok());
    // Other subjects follow the global mode.
    EXPECT_TRUE(reg("t", "a").ok());
    EXPECT_EQ(*_s->get_mode("t", true), registry_mode::readwrite);
    EXPECT_EQ(_s->get_mode("t", false).err().code, registry_errc::subject_mode_not_configured);
    EXPECT_EQ(*_s->delete_mode("s"), registry_mode::readonly);
    EXPECT_TRUE(reg("s", "a b=1").ok());
    EXPECT_EQ(_s->delete_mode("s").err().code, registry_errc::subject_not_found);
}

TEST_F(state_rules_test, global_read_only_override_beats_a_subject_mode) {
    ASSERT_TRUE(_s->set_mode("s", registry_mode::readwrite, false).ok());
    ASSERT_TRUE(_s->set_mode(std::nullopt, registry_mode::readonly, false).ok());
    EXPECT_TRUE(reg("s", "a").ok());
    EXPECT_EQ(reg("t", "a").err().code, registry_errc::operation_not_permitted);
    ASSERT_TRUE(_s->set_mode(std::nullopt, registry_mode::readonly_override, false).ok());
    EXPECT_EQ(reg("s", "a b=1").err().code, registry_errc::operation_not_permitted);
}

TEST_F(state_rules_test, import_mode_takes_explicit_ids_and_refuses_taken_ones) {
    ASSERT_TRUE(_s->set_mode(std::nullopt, registry_mode::import, false).ok());
    EXPECT_EQ(reg("s", "a").err().code, registry_errc::operation_not_permitted);
    auto imported = reg("s", "a", {}, with_id(100, 7));
    ASSERT_TRUE(imported.ok()) << imported.err().message;
    EXPECT_EQ(imported->id.value(), 100);
    EXPECT_EQ(imported->version.value(), 7);
    // Another schema may not take id 100; the same one under another subject may.
    EXPECT_EQ(reg("t", "b", {}, with_id(100)).err().code, registry_errc::id_conflict);
    auto shared = reg("t", "a", {}, with_id(100));
    ASSERT_TRUE(shared.ok());
    EXPECT_EQ(shared->version.value(), 1);
    // Compatibility is not checked while importing.
    EXPECT_TRUE(reg("s", "z q", {}, with_id(5, 3)).ok());
    ASSERT_TRUE(_s->set_mode(std::nullopt, registry_mode::readwrite, false).ok());
    // New ids continue after the highest imported one; versions after the highest.
    auto next = reg("s", "a r=1");  // compatible with the latest, version 7
    ASSERT_TRUE(next.ok()) << next.err().message;
    EXPECT_EQ(next->id.value(), 101);
    EXPECT_EQ(next->version.value(), 8);
    EXPECT_EQ(reg("s", "a r=1 w=2", {}, with_id(300)).err().code,
              registry_errc::operation_not_permitted);
}

TEST_F(state_rules_test, entering_import_mode_needs_an_empty_scope_or_force) {
    ASSERT_TRUE(reg("s", "a").ok());
    EXPECT_EQ(_s->set_mode(std::nullopt, registry_mode::import, false).err().code,
              registry_errc::operation_not_permitted);
    EXPECT_EQ(_s->set_mode("s", registry_mode::import, false).err().code,
              registry_errc::operation_not_permitted);
    // Another, empty subject may enter it.
    EXPECT_TRUE(_s->set_mode("t", registry_mode::import, false).ok());
    EXPECT_TRUE(_s->set_mode("s", registry_mode::import, true).ok());
    EXPECT_EQ(*_s->get_mode("s", false), registry_mode::import);
}

TEST_F(state_rules_test, entering_import_mode_clears_soft_deleted_versions) {
    ASSERT_TRUE(reg("s", "a").ok());
    ASSERT_TRUE(_s->delete_subject("s", false).ok());
    ASSERT_TRUE(_s->set_mode(std::nullopt, registry_mode::import, false).ok());
    EXPECT_EQ(_s->versions("s", true).err().code, registry_errc::subject_not_found);
    EXPECT_TRUE(_s->subjects("", true)->empty());
}

TEST_F(state_rules_test, contexts_allocate_ids_separately_and_list_qualified_subjects) {
    auto plain = reg("s", "a");
    auto in_ctx = reg(":.ctx:s", "b");
    ASSERT_TRUE(plain.ok() && in_ctx.ok());
    EXPECT_EQ(plain->id.value(), 1);
    EXPECT_EQ(in_ctx->id.value(), 1);  // the first id of context .ctx
    EXPECT_EQ(in_ctx->subject, ":.ctx:s");
    EXPECT_EQ(*_s->subjects("", false), (std::vector<std::string>{":.ctx:s", "s"}));
    EXPECT_EQ(*_s->subjects(":.ctx:", false), (std::vector<std::string>{":.ctx:s"}));
    EXPECT_EQ(_s->get_schema(schema_id(1), "")->schema, "a");
    EXPECT_EQ(_s->get_schema(schema_id(1), ":.ctx:s")->schema, "b");
    EXPECT_EQ(_s->get_schema(schema_id(1), ":.ctx:")->schema, "b");
    // ":.:s" is the default context's "s".
    EXPECT_EQ(_s->get_version(":.:s", version_selector::latest(), false)->id.value(), 1);
    // The same schema in another context gets that context's id.
    auto again = reg(":.ctx:t", "a");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->id.value(), 2);
}

TEST_F(state_rules_test, a_context_level_config_applies_to_its_subjects) {
    ASSERT_TRUE(_s->set_config(":.ctx:", compat_level::none).ok());
    EXPECT_EQ(*_s->get_config(":.ctx:s", true), compat_level::none);
    EXPECT_EQ(*_s->get_config("s", true), compat_level::backward);
    ASSERT_TRUE(reg(":.ctx:s", "a").ok());
    EXPECT_TRUE(reg(":.ctx:s", "z").ok());
}

TEST_F(state_rules_test, references_in_a_context_name_subjects_of_that_context) {
    ASSERT_TRUE(reg(":.ctx:c", "c1").ok());
    auto a = reg(":.ctx:a", "a1 @C", {{"C", "c", schema_version(1)}});
    ASSERT_TRUE(a.ok()) << a.err().message;
    EXPECT_EQ(_s->delete_subject(":.ctx:c", false).err().code, registry_errc::reference_exists);
    // The default context's "c" does not exist.
    EXPECT_EQ(reg("a", "a1 @C", {{"C", "c", schema_version(1)}}).err().code,
              registry_errc::invalid_schema);
}

TEST_F(state_rules_test, a_schema_type_change_is_incompatible_unless_the_level_is_none) {
    ASSERT_TRUE(reg("s", "a").ok());
    auto json = _s->register_schema("s", token_input("a", {}, schema_type::json), {});
    ASSERT_FALSE(json.ok());
    EXPECT_EQ(json.err().code, registry_errc::incompatible_schema);
    ASSERT_TRUE(_s->set_config("s", compat_level::none).ok());
    auto now = _s->register_schema("s", token_input("a", {}, schema_type::json), {});
    ASSERT_TRUE(now.ok());
    EXPECT_EQ(now->type, schema_type::json);
    EXPECT_EQ(now->id.value(), 2);  // same text, other type: another schema
}

}  // namespace
}  // namespace state_rules_test
}  // namespace spate::registry
