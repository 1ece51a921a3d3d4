#include "server/rpc/services.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rampart/v1/admin.grpc.pb.h"
#include "rampart/v1/auth.grpc.pb.h"
#include "rampart/v1/calendar.grpc.pb.h"
#include "rampart/v1/eval.grpc.pb.h"
#include "rampart/v1/freeze.grpc.pb.h"
#include "rampart/v1/ramp.grpc.pb.h"
#include "rampart/v1/support.grpc.pb.h"
#include "server/rpc/status.h"

namespace rampart::rpc {
namespace {

// The actor a mutating request names, for the log line.
template <typename Req>
std::string ActorOf(const Req& req) {
  if constexpr (requires { req.meta().actor(); }) {
    return req.meta().actor();
  } else if constexpr (requires { req.options().meta().actor(); }) {
    return req.options().meta().actor();
  } else {
    return "";
  }
}

// Makes the token's name the actor of a mutating request: the audit log
// says who held the token, whatever the request claims.
template <typename Req>
void SetActor(Req& req, const std::string& actor) {
  if constexpr (requires { req.mutable_meta()->set_actor(actor); }) {
    req.mutable_meta()->set_actor(actor);
  } else if constexpr (requires { req.mutable_options()->mutable_meta()->set_actor(actor); }) {
    req.mutable_options()->mutable_meta()->set_actor(actor);
  }
}

// Runs `fn(request, caller)` (returning absl::StatusOr<Resp>) for one unary
// call once the caller may make it: fills the response, finishes the
// reactor with the mapped status, logs the line.
template <typename Req, typename Resp, typename Fn>
grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, const ServiceDeps& d,
                                absl::string_view method, const Req* req, Resp* resp, Fn fn) {
  absl::StatusOr<auth::Caller> caller = d.auth.Authorize(AuthorizationOf(*ctx), method);
  std::string actor = caller.ok() && caller->authenticated ? caller->name : ActorOf(*req);
  RequestLog::Entry entry(d.log, method, PeerOf(*ctx), std::move(actor));
  absl::Status status = caller.status();
  if (caller.ok()) {
    absl::StatusOr<Resp> result;
    if (caller->authenticated) {
      Req copy = *req;
      SetActor(copy, caller->name);
      result = fn(copy, *caller);
    } else {
      result = fn(*req, *caller);
    }
    status = result.status();
    if (result.ok()) *resp = std::move(*result);
  }
  entry.Write(status);
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Generates a unary handler that forwards to Registry::CALL (which sees the
// request as `r`).
#define RAMPART_UNARY(SERVICE, METHOD, REQ, RESP, CALL)                                       \
  grpc::ServerUnaryReactor* METHOD(grpc::CallbackServerContext* ctx, const v1::REQ* req,      \
                                   v1::RESP* resp) override {                                 \
    return Unary(ctx, d_, #SERVICE "." #METHOD, req, resp,                                    \
                 [this](const v1::REQ& r, const auth::Caller&) { return d_.registry.CALL; }); \
  }

class AccountServiceImpl final : public v1::AccountService::CallbackService {
 public:
  explicit AccountServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(AccountService, GetAccount, GetAccountRequest, Account, GetAccount(r.key()))
  RAMPART_UNARY(AccountService, ListAccounts, ListAccountsRequest, ListAccountsResponse,
                ListAccounts(r))
  RAMPART_UNARY(AccountService, PutAccount, PutAccountRequest, Account, PutAccount(r))
  RAMPART_UNARY(AccountService, PatchAccount, PatchAccountRequest, Account, PatchAccount(r))
  RAMPART_UNARY(AccountService, DeleteAccount, DeleteAccountRequest, DeleteResponse,
                DeleteAccount(r))
  RAMPART_UNARY(AccountService, ListAccountSegments, ListAccountSegmentsRequest,
                ListSegmentsResponse, ListAccountSegments(r.key()))

  grpc::ServerReadReactor<v1::ImportAccountsRequest>* ImportAccounts(
      grpc::CallbackServerContext* ctx, v1::ImportAccountsResponse* resp) override {
    return new ImportReactor(ctx, d_, resp);
  }

 private:
  // Collects the streamed rows; imports them in one batch when the client
  // half-closes. A cancelled stream imports nothing.
  class ImportReactor final : public grpc::ServerReadReactor<v1::ImportAccountsRequest> {
   public:
    // Bounds memory: an import larger than this is split by the caller.
    static constexpr size_t kMaxRows = 2'000'000;

    // A caller without the right is refused before a row is read.
    ImportReactor(grpc::CallbackServerContext* ctx, const ServiceDeps& d,
                  v1::ImportAccountsResponse* resp)
        : ctx_(ctx), d_(d), caller_(d.auth.Authorize(AuthorizationOf(*ctx), kMethod)), resp_(resp) {
      if (!caller_.ok()) {
        Done(caller_.status());
        return;
      }
      StartRead(&req_);
    }

    void OnReadDone(bool ok) override {
      if (!ok) {
        Complete();
        return;
      }
      if (!have_options_ && req_.has_options()) {
        options_ = req_.options();
        if (caller_->authenticated) options_.mutable_meta()->set_actor(caller_->name);
        have_options_ = true;
      }
      if (rows_.size() + req_.rows_size() > kMaxRows) {
        Done(absl::ResourceExhaustedError(
            absl::StrCat("rows: more than ", kMaxRows, " in one import; split the file")));
        return;
      }
      for (auto& row : *req_.mutable_rows()) rows_.push_back(std::move(row));
      req_.Clear();
      StartRead(&req_);
    }

    void OnDone() override { delete this; }

   private:
    void Complete() {
      if (ctx_->IsCancelled()) {
        Done(absl::CancelledError("import cancelled by the client; nothing was written"));
        return;
      }
      if (!have_options_) {
        Done(absl::InvalidArgumentError("options: required in the first message"));
        return;
      }
      absl::StatusOr<v1::ImportAccountsResponse> result =
          d_.registry.ImportAccounts(options_, rows_);
      if (result.ok()) *resp_ = std::move(*result);
      Done(result.status());
    }

    void Done(const absl::Status& status) {
      const std::string actor =
          caller_.ok() && caller_->authenticated ? caller_->name : options_.meta().actor();
      RequestLog::Entry(d_.log, kMethod, PeerOf(*ctx_), actor).Write(status);
      Finish(ToGrpcStatus(status));
    }

    static constexpr absl::string_view kMethod = "AccountService.ImportAccounts";
    grpc::CallbackServerContext* ctx_;
    const ServiceDeps& d_;
    const absl::StatusOr<auth::Caller> caller_;
    v1::ImportAccountsResponse* resp_;
    v1::ImportAccountsRequest req_;
    v1::ImportOptions options_;
    bool have_options_ = false;
    std::vector<v1::ImportRow> rows_;
  };

  ServiceDeps d_;
};

class SegmentServiceImpl final : public v1::SegmentService::CallbackService {
 public:
  explicit SegmentServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(SegmentService, GetSegment, GetSegmentRequest, Segment, GetSegment(r.key()))
  RAMPART_UNARY(SegmentService, ListSegments, ListSegmentsRequest, ListSegmentsResponse,
                ListSegments(r))
  RAMPART_UNARY(SegmentService, PutSegment, PutSegmentRequest, Segment, PutSegment(r))
  RAMPART_UNARY(SegmentService, DeleteSegment, DeleteSegmentRequest, DeleteResponse,
                DeleteSegment(r))
  RAMPART_UNARY(SegmentService, ListSegmentMembers, ListSegmentMembersRequest,
                ListAccountsResponse, ListSegmentMembers(r))

 private:
  ServiceDeps d_;
};

class FlagServiceImpl final : public v1::FlagService::CallbackService {
 public:
  explicit FlagServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(FlagService, GetFlag, GetFlagRequest, Flag, GetFlag(r.key()))
  RAMPART_UNARY(FlagService, ListFlags, ListFlagsRequest, ListFlagsResponse, ListFlags(r))
  RAMPART_UNARY(FlagService, PutFlag, PutFlagRequest, Flag, PutFlag(r))
  RAMPART_UNARY(FlagService, ArchiveFlag, ArchiveFlagRequest, Flag, ArchiveFlag(r))
  RAMPART_UNARY(FlagService, SetOverride, SetOverrideRequest, Flag, SetOverride(r))
  RAMPART_UNARY(FlagService, RemoveOverride, RemoveOverrideRequest, Flag, RemoveOverride(r))

 private:
  ServiceDeps d_;
};

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  explicit AuditServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(AuditService, ListAudit, ListAuditRequest, ListAuditResponse, ListAudit(r))

 private:
  ServiceDeps d_;
};

class EvaluationServiceImpl final : public v1::EvaluationService::CallbackService {
 public:
  explicit EvaluationServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(EvaluationService, Evaluate, EvaluateRequest, EvaluationResult, Evaluate(r))
  RAMPART_UNARY(EvaluationService, EvaluateAll, EvaluateAllRequest, EvaluateAllResponse,
                EvaluateAll(r))

 private:
  ServiceDeps d_;
};

class RampServiceImpl final : public v1::RampService::CallbackService {
 public:
  explicit RampServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(RampService, CreateRamp, CreateRampRequest, Ramp, CreateRamp(r))
  RAMPART_UNARY(RampService, UpdateRamp, UpdateRampRequest, Ramp, UpdateRamp(r))
  RAMPART_UNARY(RampService, GetRamp, GetRampRequest, Ramp, GetRamp(r.flag_key()))
  RAMPART_UNARY(RampService, DeleteRamp, DeleteRampRequest, DeleteResponse, DeleteRamp(r))
  RAMPART_UNARY(RampService, GetRampStatus, GetRampRequest, RampStatusView,
                GetRampStatus(r.flag_key()))
  RAMPART_UNARY(RampService, PreviewRamp, PreviewRampRequest, RampPreview, PreviewRamp(r))
  RAMPART_UNARY(RampService, StartRamp, RampActionRequest, Ramp, StartRamp(r))
  RAMPART_UNARY(RampService, AdvanceRamp, AdvanceRampRequest, StepResponse, AdvanceRamp(r))
  RAMPART_UNARY(RampService, ApproveRamp, RampActionRequest, StepResponse, ApproveRamp(r))
  RAMPART_UNARY(RampService, PauseRamp, RampActionRequest, Ramp, PauseRamp(r))
  RAMPART_UNARY(RampService, ResumeRamp, RampActionRequest, Ramp, ResumeRamp(r))
  RAMPART_UNARY(RampService, RollbackRamp, RollbackRampRequest, Ramp, RollbackRamp(r))
  RAMPART_UNARY(RampService, ListRampTemplates, ListRampTemplatesRequest,
                ListRampTemplatesResponse, ListRampTemplates())
  RAMPART_UNARY(RampService, GetRampTemplate, GetRampTemplateRequest, RampTemplate,
                GetRampTemplate(r.key()))
  RAMPART_UNARY(RampService, PutRampTemplate, PutRampTemplateRequest, RampTemplate,
                PutRampTemplate(r))
  RAMPART_UNARY(RampService, EnrollBeta, BetaEnrollmentRequest, BetaEnrollmentResponse,
                EnrollBeta(r))
  RAMPART_UNARY(RampService, WithdrawBeta, BetaEnrollmentRequest, BetaEnrollmentResponse,
                WithdrawBeta(r))
  RAMPART_UNARY(RampService, ReportProblem, ReportProblemRequest, ProblemReport,
                ReportProblem(r))
  RAMPART_UNARY(RampService, ListProblems, ListProblemsRequest, ListProblemsResponse,
                ListProblems(r))
  RAMPART_UNARY(RampService, KillFlag, KillFlagRequest, Flag, KillFlag(r))

 private:
  ServiceDeps d_;
};

class CalendarServiceImpl final : public v1::CalendarService::CallbackService {
 public:
  explicit CalendarServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(CalendarService, ImportCalendar, ImportCalendarRequest, CalendarYearSummary,
                ImportCalendar(r))
  RAMPART_UNARY(CalendarService, GetCalendar, GetCalendarRequest, CalendarView, GetCalendar(r))

 private:
  ServiceDeps d_;
};

class FreezeServiceImpl final : public v1::FreezeService::CallbackService {
 public:
  explicit FreezeServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(FreezeService, PutFreezeCalendar, PutFreezeCalendarRequest, FreezeCalendar,
                PutFreezeCalendar(r))
  RAMPART_UNARY(FreezeService, GetFreezeCalendar, GetFreezeCalendarRequest, FreezeCalendar,
                GetFreezeCalendar(r.key()))
  RAMPART_UNARY(FreezeService, ListFreezeCalendars, ListFreezeCalendarsRequest,
                ListFreezeCalendarsResponse, ListFreezeCalendars(r))
  RAMPART_UNARY(FreezeService, DeleteFreezeCalendar, DeleteFreezeCalendarRequest, DeleteResponse,
                DeleteFreezeCalendar(r))
  RAMPART_UNARY(FreezeService, AddFreezeRules, AddFreezeRulesRequest, FreezeCalendar,
                AddFreezeRules(r))
  RAMPART_UNARY(FreezeService, RemoveFreezeRule, RemoveFreezeRuleRequest, FreezeCalendar,
                RemoveFreezeRule(r))
  RAMPART_UNARY(FreezeService, AttachFreezeCalendar, AttachFreezeCalendarRequest, FreezeCalendar,
                AttachFreezeCalendar(r))
  RAMPART_UNARY(FreezeService, DetachFreezeCalendar, AttachFreezeCalendarRequest, FreezeCalendar,
                DetachFreezeCalendar(r))
  RAMPART_UNARY(FreezeService, ListFreezeWindows, ListFreezeWindowsRequest,
                ListFreezeWindowsResponse, ListFreezeWindows(r))
  RAMPART_UNARY(FreezeService, CheckFreeze, CheckFreezeRequest, FreezeCheck, CheckFreeze(r))
  RAMPART_UNARY(FreezeService, ExportFreezeIcs, ExportFreezeIcsRequest, IcsExport,
                ExportFreezeIcs(r))
  RAMPART_UNARY(FreezeService, GetFreezeSchedule, GetFreezeScheduleRequest, FreezeSchedule,
                GetFreezeScheduleCopy())
  RAMPART_UNARY(FreezeService, DescribeReach, ReachRequest, Reach, DescribeReach(r))

 private:
  ServiceDeps d_;
};

class SupportServiceImpl final : public v1::SupportService::CallbackService {
 public:
  explicit SupportServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(SupportService, Whois, WhoisRequest, WhoisView, Whois(r))
  RAMPART_UNARY(SupportService, History, HistoryRequest, HistoryResponse, History(r))

 private:
  ServiceDeps d_;
};

class TokenServiceImpl final : public v1::TokenService::CallbackService {
 public:
  explicit TokenServiceImpl(const ServiceDeps& deps) : d_(deps) {}

  RAMPART_UNARY(TokenService, CreateToken, CreateTokenRequest, CreatedToken, CreateToken(r))
  RAMPART_UNARY(TokenService, ListTokens, ListTokensRequest, ListTokensResponse, ListTokens(r))
  RAMPART_UNARY(TokenService, RevokeToken, RevokeTokenRequest, ApiToken, RevokeToken(r))

  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* ctx, const v1::WhoAmIRequest* req,
                                   v1::Identity* resp) override {
    return Unary(ctx, d_, "TokenService.WhoAmI", req, resp,
                 [](const v1::WhoAmIRequest&, const auth::Caller& caller) {
                   return absl::StatusOr<v1::Identity>(caller.ToIdentity());
                 });
  }

 private:
  ServiceDeps d_;
};

#undef RAMPART_UNARY

}  // namespace

std::vector<std::unique_ptr<grpc::Service>> MakeServices(const ServiceDeps& deps) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<AccountServiceImpl>(deps));
  services.push_back(std::make_unique<SegmentServiceImpl>(deps));
  services.push_back(std::make_unique<FlagServiceImpl>(deps));
  services.push_back(std::make_unique<AuditServiceImpl>(deps));
  services.push_back(std::make_unique<EvaluationServiceImpl>(deps));
  services.push_back(std::make_unique<RampServiceImpl>(deps));
  services.push_back(std::make_unique<CalendarServiceImpl>(deps));
  services.push_back(std::make_unique<FreezeServiceImpl>(deps));
  services.push_back(std::make_unique<SupportServiceImpl>(deps));
  services.push_back(std::make_unique<TokenServiceImpl>(deps));
  return services;
}

absl::string_view AuthorizationOf(const grpc::CallbackServerContext& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return "";
  return absl::string_view(it->second.data(), it->second.size());
}

std::string PeerOf(const grpc::CallbackServerContext& ctx) {
  std::string peer = ctx.peer();
  // Only the gateway, in this process, may say whom it forwards for.
  if (absl::StartsWith(peer, "inproc")) {
    const auto& md = ctx.client_metadata();
    auto it = md.find("x-forwarded-for");
    if (it != md.end())
      return absl::StrCat("http:", absl::string_view(it->second.data(), it->second.size()));
  }
  return peer;
}

}  // namespace rampart::rpc
