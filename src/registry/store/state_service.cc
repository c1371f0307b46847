#include "registry/store/state_service.h"

namespace spate::registry {

state_service::state_service(provider_lookup providers) : _state(std::move(providers)) {}

outcome<std::vector<store_record>> state_service::plan_now(const planner& plan) const {
    std::shared_lock lock(_mu);
    return plan(_state);
}

void state_service::apply(const std::vector<store_record>& records) {
    std::unique_lock lock(_mu);
    for (const auto& r : records)
        _state.apply(r);
}

template <typename T, typename F>
outcome<T> state_service::write(F make_plan) {
    std::optional<T> answer;
    auto done = commit([&](const registry_state& s) -> outcome<std::vector<store_record>> {
        auto p = make_plan(s);
        if (!p) return p.err();
        answer = std::move(p.value().answer);
        return std::move(p.value().records);
    });
    if (!done) return done.err();
    SPATE_ASSERT(answer.has_value());
    return std::move(*answer);
}

outcome<std::vector<std::string>> state_service::subjects(std::string_view prefix,
                                                          bool include_deleted) {
    return read([&](const registry_state& s) { return s.subjects(prefix, include_deleted); });
}

outcome<std::vector<schema_version>> state_service::versions(std::string_view subject,
                                                             bool include_deleted) {
    return read([&](const registry_state& s) { return s.versions(subject, include_deleted); });
}

outcome<subject_schema> state_service::get_version(std::string_view subject, version_selector v,
                                                   bool include_deleted) {
    return read(
        [&](const registry_state& s) { return s.get_version(subject, v, include_deleted); });
}

outcome<subject_schema> state_service::register_schema(std::string_view subject,
                                                       const schema_input& in,
                                                       const register_options& o) {
    // Already registered: answered without a write (nor its fencing).
    if (!o.id && !o.version) {
        auto found = read(
            [&](const registry_state& s) { return s.find_registered(subject, in, o.normalize); });
        if (found) return std::move(*found);
    }
    return write<subject_schema>(
        [&](const registry_state& s) { return s.plan_register(subject, in, o); });
}

outcome<subject_schema> state_service::lookup(std::string_view subject, const schema_input& in,
                                              bool normalize, bool include_deleted) {
    return read(
        [&](const registry_state& s) { return s.lookup(subject, in, normalize, include_deleted); });
}

outcome<std::vector<schema_version>> state_service::delete_subject(std::string_view subject,
                                                                   bool permanent) {
    return write<std::vector<schema_version>>(
        [&](const registry_state& s) { return s.plan_delete_subject(subject, permanent); });
}

outcome<schema_version> state_service::delete_version(std::string_view subject, version_selector v,
                                                      bool permanent) {
    return write<schema_version>(
        [&](const registry_state& s) { return s.plan_delete_version(subject, v, permanent); });
}

outcome<std::vector<schema_id>> state_service::referenced_by(std::string_view subject,
                                                             version_selector v) {
    return read([&](const registry_state& s) { return s.referenced_by(subject, v); });
}

outcome<id_schema> state_service::get_schema(schema_id id, std::string_view subject) {
    return read([&](const registry_state& s) { return s.get_schema(id, subject); });
}

outcome<std::vector<std::string>> state_service::subjects_of(schema_id id, std::string_view subject,
                                                             bool include_deleted) {
    return read(
        [&](const registry_state& s) { return s.subjects_of(id, subject, include_deleted); });
}

outcome<std::vector<subject_version>> state_service::versions_of(schema_id id,
                                                                 std::string_view subject,
                                                                 bool include_deleted) {
    return read(
        [&](const registry_state& s) { return s.versions_of(id, subject, include_deleted); });
}

outcome<std::vector<subject_schema>> state_service::list_schemas(std::string_view subject_prefix,
                                                                 bool include_deleted,
                                                                 bool latest_only) {
    return read([&](const registry_state& s) {
        return s.list_schemas(subject_prefix, include_deleted, latest_only);
    });
}

outcome<compat_level> state_service::get_config(std::optional<std::string_view> subject,
                                                bool default_to_global) {
    return read([&](const registry_state& s) { return s.get_config(subject, default_to_global); });
}

outcome<compat_level> state_service::set_config(std::optional<std::string_view> subject,
                                                compat_level level) {
    return write<compat_level>(
        [&](const registry_state& s) { return s.plan_set_config(subject, level); });
}

outcome<compat_level> state_service::delete_config(std::optional<std::string_view> subject) {
    return write<compat_level>(
        [&](const registry_state& s) { return s.plan_delete_config(subject); });
}

outcome<registry_mode> state_service::get_mode(std::optional<std::string_view> subject,
                                               bool default_to_global) {
    return read([&](const registry_state& s) { return s.get_mode(subject, default_to_global); });
}

outcome<registry_mode> state_service::set_mode(std::optional<std::string_view> subject,
                                               registry_mode m, bool force) {
    return write<registry_mode>(
        [&](const registry_state& s) { return s.plan_set_mode(subject, m, force); });
}

outcome<registry_mode> state_service::delete_mode(std::string_view subject) {
    return write<registry_mode>(
        [&](const registry_state& s) { return s.plan_delete_mode(subject); });
}

outcome<compat_report> state_service::check(std::string_view subject,
                                            std::optional<version_selector> against,
                                            const schema_input& in, bool normalize) {
    return read([&](const registry_state& s) { return s.check(subject, against, in, normalize); });
}

bool state_service::id_registered_under(schema_id id, std::string_view subject) {
    return read([&](const registry_state& s) { return s.id_registered_under(id, subject); });
}

bool state_service::id_exists(schema_id id) {
    return read([&](const registry_state& s) { return s.id_exists(id); });
}

std::optional<std::string> state_service::record_name_of(schema_id id) {
    // Ids are never reused, so a known id's name is remembered; an unknown
    // id (perhaps deleted) has none.
    if (!id_exists(id)) return std::nullopt;
    {
        std::lock_guard lock(_names_mu);
        auto it = _record_names.find(id.value());
        if (it != _record_names.end()) return it->second;
    }
    auto name = read([&](const registry_state& s) { return s.record_name_of(id); });
    std::lock_guard lock(_names_mu);
    _record_names.emplace(id.value(), name);
    return name;
}

namespace {

// Writes apply directly to the state, one writer at a time.
class memory_store final : public state_service {
  public:
    explicit memory_store(provider_lookup providers) : state_service(std::move(providers)) {}

  protected:
    outcome<committed> commit(const planner& plan) override {
        std::lock_guard lock(_writer);
        auto records = plan_now(plan);
        if (!records) return records.err();
        apply(*records);
        return committed{};
    }

  private:
    std::mutex _writer;
};

}  // namespace

std::shared_ptr<service> make_memory_store(provider_lookup providers) {
    return std::make_shared<memory_store>(std::move(providers));
}

}  // namespace spate::registry
