#pragma once

// The `service` over a registry_state: reads answer from the state under a
// shared lock; writes compute their records from the state and hand them to
// commit(), which each store implements (applied in memory, or appended to
// `_schemas` and applied when read back).
//
// Threading: every method may be called from any thread.

#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "registry/core/service.h"
#include "registry/store/state.h"

namespace spate::registry {

class state_service : public service {
  public:
    explicit state_service(provider_lookup providers);

    outcome<std::vector<std::string>> subjects(std::string_view prefix,
                                               bool include_deleted) override;
    outcome<std::vector<schema_version>> versions(std::string_view subject,
                                                  bool include_deleted) override;
    outcome<subject_schema> get_version(std::string_view subject, version_selector v,
                                        bool include_deleted) override;
    outcome<subject_schema> register_schema(std::string_view subject, const schema_input& in,
                                            const register_options& o) override;
    outcome<subject_schema> lookup(std::string_view subject, const schema_input& in, bool normalize,
                                   bool include_deleted) override;
    outcome<std::vector<schema_version>> delete_subject(std::string_view subject,
                                                        bool permanent) override;
    outcome<schema_version> delete_version(std::string_view subject, version_selector v,
                                           bool permanent) override;
    outcome<std::vector<schema_id>> referenced_by(std::string_view subject,
                                                  version_selector v) override;
    outcome<id_schema> get_schema(schema_id id, std::string_view subject) override;
    outcome<std::vector<std::string>> subjects_of(schema_id id, std::string_view subject,
                                                  bool include_deleted) override;
    outcome<std::vector<subject_version>> versions_of(schema_id id, std::string_view subject,
                                                      bool include_deleted) override;
    outcome<std::vector<subject_schema>> list_schemas(std::string_view subject_prefix,
                                                      bool include_deleted,
                                                      bool latest_only) override;
    outcome<compat_level> get_config(std::optional<std::string_view> subject,
                                     bool default_to_global) override;
    outcome<compat_level> set_config(std::optional<std::string_view> subject,
                                     compat_level level) override;
    outcome<compat_level> delete_config(std::optional<std::string_view> subject) override;
    outcome<registry_mode> get_mode(std::optional<std::string_view> subject,
                                    bool default_to_global) override;
    outcome<registry_mode> set_mode(std::optional<std::string_view> subject, registry_mode m,
                                    bool force) override;
    outcome<registry_mode> delete_mode(std::string_view subject) override;
    outcome<compat_report> check(std::string_view subject, std::optional<version_selector> against,
                                 const schema_input& in, bool normalize) override;
    bool id_registered_under(schema_id id, std::string_view subject) override;
    bool id_exists(schema_id id) override;
    std::optional<std::string> record_name_of(schema_id id) override;

  protected:
    // Computes a write's records from the state it is given (or refuses).
    using planner = std::function<outcome<std::vector<store_record>>(const registry_state&)>;
    struct committed {};
    // Makes the records of `plan` applied to this service's state before
    // returning. `plan` may run more than once (a store retries after a
    // conflicting writer); the answer of its last run is the one given.
    virtual outcome<committed> commit(const planner& plan) = 0;

    // Runs `plan` on the state under the shared lock.
    outcome<std::vector<store_record>> plan_now(const planner& plan) const;
    // Applies records (from commit or read back from the topic) under the
    // exclusive lock.
    void apply(const std::vector<store_record>& records);

  private:
    template <typename T, typename F>
    outcome<T> write(F make_plan);
    template <typename F>
    auto read(F f) const {
        std::shared_lock lock(_mu);
        return f(_state);
    }

    mutable std::shared_mutex _mu;  // guards _state
    registry_state _state;
    std::mutex _names_mu;  // guards _record_names (ids never change schema)
    std::map<int32_t, std::optional<std::string>> _record_names;
};

// A registry held in memory only, without a topic: the semantics of
// open_store's, for tests of the state and of the layers above.
std::shared_ptr<service> make_memory_store(provider_lookup providers = &provider_for);

}  // namespace spate::registry
