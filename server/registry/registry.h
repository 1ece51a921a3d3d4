// The registry: the release model's rules of change. Every read and write of
// accounts, segments and flags goes through it; the gRPC services (server/rpc)
// are thin adapters over it, and the CLI reaches it only through them.
//
// Writes: each mutation validates its input (core/model), checks the caller's
// expected revision (stale: ABORTED), and stores the new object together with
// its audit entry in one synced RocksDB batch (domain promise 5). A failed
// call changes nothing (promise 6). Errors name the object and the field.
//
// Thread-safety: all methods may be called concurrently. Mutations are
// serialized by one writer lock (a release model changes a few times a second;
// correctness beats write concurrency here); reads take no lock.
#ifndef RAMPART_SERVER_REGISTRY_REGISTRY_H_
#define RAMPART_SERVER_REGISTRY_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "core/common/clock.h"
#include "rampart/v1/admin.pb.h"
#include "rampart/v1/auth.pb.h"
#include "rampart/v1/calendar.pb.h"
#include "rampart/v1/eval.pb.h"
#include "rampart/v1/freeze.pb.h"
#include "rampart/v1/model.pb.h"
#include "rampart/v1/ramp.pb.h"
#include "rampart/v1/support.pb.h"
#include "server/storage/store.h"

namespace rampart::registry {

class Transaction;
struct FlagSet;

// One object a committed change wrote or removed.
struct ObjectChange {
  v1::ObjectKind kind = v1::OBJECT_KIND_UNSPECIFIED;
  std::string key;
  // The serialized object after the change; empty when it was deleted.
  std::string after;
  bool deleted = false;
};

// Told about every committed change, in commit order, with the store revision
// it created. Called with the registry's writer lock held (so calls never
// overlap and never come out of order): it must be quick and must not call
// back into the registry's writes.
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  virtual void OnCommit(int64_t revision, const std::vector<ObjectChange>& changes) = 0;
};

class Registry {
 public:
  // Loads the store revision. `store` and `clock` must outlive the registry.
  static absl::StatusOr<std::unique_ptr<Registry>> Open(storage::Store& store, Clock& clock);

  // The revision of the last committed change (0 for an empty store).
  int64_t revision() const;

  // --- Accounts -----------------------------------------------------------
  absl::StatusOr<v1::Account> GetAccount(absl::string_view key) const;
  absl::StatusOr<v1::ListAccountsResponse> ListAccounts(const v1::ListAccountsRequest& req) const;
  absl::StatusOr<v1::Account> PutAccount(const v1::PutAccountRequest& req);
  absl::StatusOr<v1::Account> PatchAccount(const v1::PatchAccountRequest& req);
  absl::StatusOr<v1::DeleteResponse> DeleteAccount(const v1::DeleteAccountRequest& req);
  // Upserts rows by key in one batch (see ImportAccountsRequest in admin.proto).
  absl::StatusOr<v1::ImportAccountsResponse> ImportAccounts(const v1::ImportOptions& options,
                                                            const std::vector<v1::ImportRow>& rows);
  absl::StatusOr<v1::ListSegmentsResponse> ListAccountSegments(absl::string_view key) const;

  // --- Segments -----------------------------------------------------------
  absl::StatusOr<v1::Segment> GetSegment(absl::string_view key) const;
  absl::StatusOr<v1::ListSegmentsResponse> ListSegments(const v1::ListSegmentsRequest& req) const;
  absl::StatusOr<v1::Segment> PutSegment(const v1::PutSegmentRequest& req);
  absl::StatusOr<v1::DeleteResponse> DeleteSegment(const v1::DeleteSegmentRequest& req);
  absl::StatusOr<v1::ListAccountsResponse> ListSegmentMembers(
      const v1::ListSegmentMembersRequest& req) const;

  // --- Flags --------------------------------------------------------------
  absl::StatusOr<v1::Flag> GetFlag(absl::string_view key) const;
  absl::StatusOr<v1::ListFlagsResponse> ListFlags(const v1::ListFlagsRequest& req) const;
  absl::StatusOr<v1::Flag> PutFlag(const v1::PutFlagRequest& req);
  absl::StatusOr<v1::Flag> ArchiveFlag(const v1::ArchiveFlagRequest& req);
  absl::StatusOr<v1::Flag> SetOverride(const v1::SetOverrideRequest& req);
  absl::StatusOr<v1::Flag> RemoveOverride(const v1::RemoveOverrideRequest& req);

  // --- Ramps (ramps.cc; the model is documented in ramp.proto) -----------
  absl::StatusOr<v1::Ramp> CreateRamp(const v1::CreateRampRequest& req);
  absl::StatusOr<v1::Ramp> UpdateRamp(const v1::UpdateRampRequest& req);
  absl::StatusOr<v1::Ramp> GetRamp(absl::string_view flag_key) const;
  absl::StatusOr<v1::DeleteResponse> DeleteRamp(const v1::DeleteRampRequest& req);
  absl::StatusOr<v1::RampStatusView> GetRampStatus(absl::string_view flag_key) const;
  absl::StatusOr<v1::RampPreview> PreviewRamp(const v1::PreviewRampRequest& req) const;
  absl::StatusOr<v1::Ramp> StartRamp(const v1::RampActionRequest& req);
  absl::StatusOr<v1::StepResponse> AdvanceRamp(const v1::AdvanceRampRequest& req);
  absl::StatusOr<v1::StepResponse> ApproveRamp(const v1::RampActionRequest& req);
  absl::StatusOr<v1::Ramp> PauseRamp(const v1::RampActionRequest& req);
  absl::StatusOr<v1::Ramp> ResumeRamp(const v1::RampActionRequest& req);
  absl::StatusOr<v1::Ramp> RollbackRamp(const v1::RollbackRampRequest& req);
  // Templates: the built-in ones (ramp_templates.cc) and those added.
  absl::StatusOr<v1::ListRampTemplatesResponse> ListRampTemplates() const;
  absl::StatusOr<v1::RampTemplate> GetRampTemplate(absl::string_view key) const;
  absl::StatusOr<v1::RampTemplate> PutRampTemplate(const v1::PutRampTemplateRequest& req);
  absl::StatusOr<v1::BetaEnrollmentResponse> EnrollBeta(const v1::BetaEnrollmentRequest& req);
  absl::StatusOr<v1::BetaEnrollmentResponse> WithdrawBeta(const v1::BetaEnrollmentRequest& req);
  absl::StatusOr<v1::ProblemReport> ReportProblem(const v1::ReportProblemRequest& req);
  absl::StatusOr<v1::ListProblemsResponse> ListProblems(const v1::ListProblemsRequest& req) const;
  // The kill switch (Flag.enabled), with its own audit operation.
  absl::StatusOr<v1::Flag> KillFlag(const v1::KillFlagRequest& req);

  // --- Working-day calendars (calendars.cc) ------------------------------
  absl::StatusOr<v1::CalendarYearSummary> ImportCalendar(const v1::ImportCalendarRequest& req);
  absl::StatusOr<v1::CalendarView> GetCalendar(const v1::GetCalendarRequest& req) const;

  // --- Freeze calendars (freezes.cc; docs/freezes.md) ---------------------
  absl::StatusOr<v1::FreezeCalendar> PutFreezeCalendar(const v1::PutFreezeCalendarRequest& req);
  absl::StatusOr<v1::FreezeCalendar> GetFreezeCalendar(absl::string_view key) const;
  absl::StatusOr<v1::ListFreezeCalendarsResponse> ListFreezeCalendars(
      const v1::ListFreezeCalendarsRequest& req) const;
  absl::StatusOr<v1::DeleteResponse> DeleteFreezeCalendar(
      const v1::DeleteFreezeCalendarRequest& req);
  absl::StatusOr<v1::FreezeCalendar> AddFreezeRules(const v1::AddFreezeRulesRequest& req);
  absl::StatusOr<v1::FreezeCalendar> RemoveFreezeRule(const v1::RemoveFreezeRuleRequest& req);
  absl::StatusOr<v1::FreezeCalendar> AttachFreezeCalendar(
      const v1::AttachFreezeCalendarRequest& req);
  absl::StatusOr<v1::FreezeCalendar> DetachFreezeCalendar(
      const v1::AttachFreezeCalendarRequest& req);
  absl::StatusOr<v1::ListFreezeWindowsResponse> ListFreezeWindows(
      const v1::ListFreezeWindowsRequest& req) const;
  absl::StatusOr<v1::FreezeCheck> CheckFreeze(const v1::CheckFreezeRequest& req) const;
  absl::StatusOr<v1::IcsExport> ExportFreezeIcs(const v1::ExportFreezeIcsRequest& req) const;
  // Whom the change committed at `revision` reaches (reach.cc).
  absl::StatusOr<v1::Reach> DescribeReach(const v1::ReachRequest& req) const;

  // The support view (support.cc; issue 6).
  absl::StatusOr<v1::WhoisView> Whois(const v1::WhoisRequest& req) const;
  absl::StatusOr<v1::HistoryResponse> History(const v1::HistoryRequest& req) const;

  // --- API tokens (tokens.cc; docs/access.md) -----------------------------
  // Creates a token; the response carries the whole token, the only time it
  // is shown (only its SHA-256 is stored). Names are unique among the tokens
  // in force.
  absl::StatusOr<v1::CreatedToken> CreateToken(const v1::CreateTokenRequest& req);
  absl::StatusOr<v1::ListTokensResponse> ListTokens(const v1::ListTokensRequest& req) const;
  // By name (of a token in force) or key. Takes effect on the next call.
  absl::StatusOr<v1::ApiToken> RevokeToken(const v1::RevokeTokenRequest& req);
  // The stored record, hash included (for the authenticator), or nullopt.
  absl::StatusOr<std::optional<v1::ApiToken>> FindToken(absl::string_view key) const;
  // When no admin token is in force (a new data dir): creates one named
  // "admin" and returns the whole token; else nullopt.
  absl::StatusOr<std::optional<std::string>> EnsureAdminToken();

  // The freeze windows of the coming weeks, as the SDKs have them: computed
  // from the freeze calendars, their attachments, the segments' and the
  // accounts' zones and the working-day calendar, and recomputed with every
  // change of those (Transaction::Commit) and daily. Never null.
  std::shared_ptr<const v1::FreezeSchedule> freeze_schedule() const;
  absl::StatusOr<v1::FreezeSchedule> GetFreezeScheduleCopy() const { return *freeze_schedule(); }
  // How far ahead the schedule reaches, and how often it is recomputed.
  static constexpr absl::Duration kFreezeHorizon = absl::Hours(24 * 56);
  static constexpr absl::Duration kFreezeRefresh = absl::Hours(24);
  // Recomputes the schedule when kFreezeRefresh has passed since it was
  // (the scheduler calls it on every round; cheap otherwise). True when it
  // was written.
  absl::StatusOr<bool> RefreshFreezeScheduleIfDue(absl::Time now);

  // --- The ramp scheduler's view (server/scheduler) -----------------------
  // Makes every step due at `now`, oldest due first, each in its own
  // transaction with actor "scheduler" and the rule that fired as reason. A
  // step whose gate holds (approval, problem reports) is skipped until it
  // passes. Returns how many steps happened.
  absl::StatusOr<int> RunDueSteps(absl::Time now);
  // The earliest instant a running ramp's next step falls due (already past
  // when one is due now); nullopt when none is scheduled.
  absl::StatusOr<std::optional<absl::Time>> NextDueTime() const;

  // --- Audit --------------------------------------------------------------
  absl::StatusOr<v1::ListAuditResponse> ListAudit(const v1::ListAuditRequest& req) const;

  // --- Evaluation (through core/eval, the engine the SDK uses) ------------
  absl::StatusOr<v1::EvaluationResult> Evaluate(const v1::EvaluateRequest& req) const;
  absl::StatusOr<v1::EvaluateAllResponse> EvaluateAll(const v1::EvaluateAllRequest& req) const;

  // Sets the one listener of committed changes (null: none). Set it before
  // serving; the listener must outlive the registry's writes.
  void SetChangeListener(ChangeListener* listener);

  Clock& clock() const { return clock_; }
  storage::Store& store() const { return store_; }

 private:
  friend class Transaction;
  friend class SupportViewPeer;  // support_test.cc: is the current set updated or read afresh
  Registry(storage::Store& store, Clock& clock, int64_t revision);

  // Loads the stored schedule and the accounts' zones, and recomputes the
  // schedule (a crash may have left it behind its inputs).
  absl::Status LoadFreezeState();
  // Computes the schedule at `now` from the store; when it differs from the
  // current one (its windows; `force`: or at all), writes it and returns its
  // bytes. Called with the writer lock held. A failure is logged and keeps
  // the current schedule: the change that asked for it is already durable.
  std::optional<std::string> RecomputeFreezeSchedule(absl::Time now, bool force);
  absl::StatusOr<v1::FreezeSchedule> ComputeFreezeSchedule(absl::Time now) const;
  // Adds `zone` to the accounts' zones; true when it is new (writer lock held).
  bool NoteAccountZone(const std::string& zone);
  // The current flags and segments compiled for whois (support_view.cc):
  // the cached set while the revision and the schedule are those it was
  // read at, else a new one, cached.
  absl::StatusOr<std::shared_ptr<const FlagSet>> CurrentFlagSet() const;

  storage::Store& store_;
  Clock& clock_;
  // Serializes mutations: read, check, write.
  absl::Mutex write_mu_;
  ChangeListener* listener_ ABSL_GUARDED_BY(write_mu_) = nullptr;
  // Every zone an account has had since the start (writer lock).
  absl::flat_hash_set<std::string> account_zones_;
  // Scheduled steps into a wait_while_frozen stage held by a freeze: not
  // re-checked before `until` (the end of the last window holding an
  // account the step adds) while the ramp and the schedule are unchanged,
  // so a held step costs one look at the registry, not one a second.
  // Writer lock; in memory (a restart re-checks once).
  struct FreezeHold {
    int64_t ramp_revision;
    absl::Time schedule_computed_at;
    absl::Time until;
  };
  absl::flat_hash_map<std::string, FreezeHold> freeze_holds_;
  mutable absl::Mutex schedule_mu_;
  std::shared_ptr<const v1::FreezeSchedule> schedule_ ABSL_GUARDED_BY(schedule_mu_);
  mutable absl::Mutex revision_mu_;
  int64_t revision_ ABSL_GUARDED_BY(revision_mu_);
  // See CurrentFlagSet. Built outside the lock; only the swap holds it.
  mutable absl::Mutex flag_set_mu_;
  mutable std::shared_ptr<const FlagSet> flag_set_ ABSL_GUARDED_BY(flag_set_mu_);
};

}  // namespace rampart::registry

#endif  // RAMPART_SERVER_REGISTRY_REGISTRY_H_
