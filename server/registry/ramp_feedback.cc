// Registry: what client apps send back to a ramp. Beta enrollment (an account
// asks for a flag's beta; stages whose audience says beta_enrolled serve it)
// and problem reports (shown per stage; a stage's gate holds the next step
// while they exceed its threshold).
//
// Enrollment is part of the flag's serving view (Flag.ramp.beta_enrolled), so
// it reaches the SDKs as a flag change and is audited like one. Problem
// reports are feedback, not changes to the release model: they are stored
// (synced) in their own column family without an audit entry and without a
// new store revision.
#include <algorithm>
#include <atomic>

#include "absl/strings/str_cat.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "server/registry/ramp_internal.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"
#include "server/storage/encoding.h"

namespace rampart::registry {
namespace {

constexpr size_t kMaxProblemText = 1000;

absl::StatusOr<v1::BetaEnrollmentResponse> ChangeEnrollment(Registry& registry,
                                                            const v1::BetaEnrollmentRequest& req,
                                                            bool enroll) {
  Transaction tx(registry, req.meta(), enroll ? "flag.beta.enroll" : "flag.beta.withdraw");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("flag_key", req.flag_key()));
  RETURN_IF_ERROR(ValidateKey("account_key", req.account_key()));
  ASSIGN_OR_RETURN(const v1::Flag current, GetObject<v1::Flag>(registry.store(), req.flag_key()));
  if (enroll) {
    ASSIGN_OR_RETURN(auto account, LoadObject<v1::Account>(registry.store(), req.account_key()));
    if (!account) {
      return absl::NotFoundError(
          absl::StrCat("account_key: account \"", req.account_key(), "\" not found"));
    }
  }
  v1::Flag flag = current;
  auto* enrolled = flag.mutable_ramp()->mutable_beta_enrolled();
  auto it = std::lower_bound(enrolled->begin(), enrolled->end(), req.account_key());
  const bool present = it != enrolled->end() && *it == req.account_key();
  v1::BetaEnrollmentResponse resp;
  if (present != enroll) {
    if (enroll) {
      enrolled->Add(std::string(req.account_key()));
      std::sort(enrolled->begin(), enrolled->end());
    } else {
      enrolled->erase(it);
    }
    tx.Put(&current, flag);
    tx.AlsoIndexUnder(v1::OBJECT_KIND_ACCOUNT, req.account_key());
    RETURN_IF_ERROR(tx.Commit().status());
    resp.set_changed(true);
  }
  resp.mutable_enrolled()->Add(enrolled->begin(), enrolled->end());
  return resp;
}

// Calls fn(report) for a flag's reports at or after `since`, oldest first.
template <typename Fn>
absl::Status ForEachProblem(const storage::Store& store, absl::string_view flag_key,
                            absl::Time since, Fn fn) {
  const std::string prefix = storage::ProblemPrefix(flag_key);
  const std::string start =
      since == absl::InfinitePast()
          ? std::string()
          : storage::ProblemKey(flag_key, absl::ToUnixMicros(since), 0);
  absl::Status parse_error;
  RETURN_IF_ERROR(store.Scan(storage::Cf::kProblems, prefix, start, false,
                             [&](absl::string_view, absl::string_view value) {
                               v1::ProblemReport report;
                               if (!report.ParseFromArray(value.data(),
                                                          static_cast<int>(value.size()))) {
                                 parse_error = absl::DataLossError(absl::StrCat(
                                     "problem report of flag \"", flag_key,
                                     "\": stored record does not parse"));
                                 return false;
                               }
                               fn(report);
                               return true;
                             }));
  return parse_error;
}

}  // namespace

absl::StatusOr<uint64_t> CountProblemsSince(const storage::Store& store,
                                            absl::string_view flag_key, absl::Time since) {
  uint64_t n = 0;
  RETURN_IF_ERROR(ForEachProblem(store, flag_key, since, [&](const v1::ProblemReport&) { ++n; }));
  return n;
}

absl::StatusOr<std::vector<uint64_t>> CountProblemsByStage(const storage::Store& store,
                                                           absl::string_view flag_key,
                                                           int stages) {
  std::vector<uint64_t> counts(stages + 1, 0);
  RETURN_IF_ERROR(ForEachProblem(store, flag_key, absl::InfinitePast(),
                                 [&](const v1::ProblemReport& r) {
                                   if (r.stage() >= 0 && r.stage() <= stages) ++counts[r.stage()];
                                 }));
  return counts;
}

absl::StatusOr<v1::BetaEnrollmentResponse> Registry::EnrollBeta(
    const v1::BetaEnrollmentRequest& req) {
  return ChangeEnrollment(*this, req, true);
}

absl::StatusOr<v1::BetaEnrollmentResponse> Registry::WithdrawBeta(
    const v1::BetaEnrollmentRequest& req) {
  return ChangeEnrollment(*this, req, false);
}

absl::StatusOr<v1::ProblemReport> Registry::ReportProblem(const v1::ReportProblemRequest& req) {
  RETURN_IF_ERROR(ValidateKey("flag_key", req.flag_key()));
  RETURN_IF_ERROR(ValidateKey("account_key", req.account_key()));
  RETURN_IF_ERROR(RequireNonEmpty("text", req.text()));
  if (req.text().size() > kMaxProblemText) {
    return absl::InvalidArgumentError(absl::StrCat("text: ", req.text().size(),
                                                   " bytes; at most ", kMaxProblemText));
  }
  ASSIGN_OR_RETURN(const v1::Flag flag, GetObject<v1::Flag>(store_, req.flag_key()));
  ASSIGN_OR_RETURN(auto ramp, LoadObject<v1::Ramp>(store_, req.flag_key()));
  static std::atomic<uint32_t> seq{0};
  const absl::Time now = clock_.Now();
  const uint32_t n = seq.fetch_add(1);
  v1::ProblemReport report;
  report.set_flag_key(flag.key());
  report.set_account_key(req.account_key());
  report.set_user_key(req.user_key());
  report.set_text(req.text());
  *report.mutable_reported_at() = ToProto(now);
  report.set_reporter(req.reporter().empty() ? "anonymous" : req.reporter());
  report.set_stage(ramp ? ramp->current_stage() : 0);
  report.set_id(absl::StrCat(absl::ToUnixMicros(now), "-", n));
  storage::WriteBatch batch;
  batch.Put(storage::Cf::kProblems, storage::ProblemKey(flag.key(), absl::ToUnixMicros(now), n),
            report.SerializeAsString());
  RETURN_IF_ERROR(store_.Write(batch));
  return report;
}

absl::StatusOr<v1::ListProblemsResponse> Registry::ListProblems(
    const v1::ListProblemsRequest& req) const {
  RETURN_IF_ERROR(ValidateKey("flag_key", req.flag_key()));
  if (req.limit() < 0 || req.limit() > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("limit: ", req.limit(), " is outside 0..1000"));
  }
  RETURN_IF_ERROR(GetObject<v1::Flag>(store_, req.flag_key()).status());
  const size_t limit = req.limit() == 0 ? 100 : req.limit();
  std::vector<v1::ProblemReport> all;
  RETURN_IF_ERROR(ForEachProblem(
      store_, req.flag_key(), IsSet(req.since()) ? FromProto(req.since()) : absl::InfinitePast(),
      [&](const v1::ProblemReport& r) { all.push_back(r); }));
  v1::ListProblemsResponse resp;
  resp.set_total(all.size());
  for (auto it = all.rbegin(); it != all.rend() && resp.reports_size() < static_cast<int>(limit);
       ++it) {
    *resp.add_reports() = std::move(*it);
  }
  return resp;
}

}  // namespace rampart::registry
