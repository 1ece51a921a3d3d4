#include "server/rpc/services.h"

#include <utility>

#include "server/rpc/status.h"

namespace rampart::rpc {
namespace {

using registry::Registry;

// The actor of a mutating request, for the log line.
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

// Runs `fn` (returning absl::StatusOr<Resp>) for one unary call: fills the
// response, finishes the reactor with the mapped status, logs the line.
template <typename Req, typename Resp, typename Fn>
grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, const RequestLog& log,
                                absl::string_view method, const Req* req, Resp* resp, Fn fn) {
  RequestLog::Entry entry(log, method, ctx->peer(), ActorOf(*req));
  absl::StatusOr<Resp> result = fn(*req);
  absl::Status status = result.status();
  if (result.ok()) *resp = std::move(*result);
  entry.Write(status);
  auto* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Generates a unary handler that forwards to Registry::METHOD.
#define RAMPART_UNARY(SERVICE, METHOD, REQ, RESP, CALL)                                      \
  grpc::ServerUnaryReactor* METHOD(grpc::CallbackServerContext* ctx, const v1::REQ* req,   \
                                   v1::RESP* resp) override {                              \
    return Unary(ctx, log_, #SERVICE "." #METHOD, req, resp,                               \
                 [this](const v1::REQ& r) { return registry_.CALL; });                     \
  }

class AccountServiceImpl final : public v1::AccountService::CallbackService {
 public:
  AccountServiceImpl(Registry& registry, const RequestLog& log) : registry_(registry), log_(log) {}

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
    return new ImportReactor(ctx, registry_, log_, resp);
  }

 private:
  // Collects the streamed rows; imports them in one batch when the client
  // half-closes. A cancelled stream imports nothing.
  class ImportReactor final : public grpc::ServerReadReactor<v1::ImportAccountsRequest> {
   public:
    // Bounds memory: an import larger than this is split by the caller.
    static constexpr size_t kMaxRows = 2'000'000;

    ImportReactor(grpc::CallbackServerContext* ctx, Registry& registry, const RequestLog& log,
                  v1::ImportAccountsResponse* resp)
        : ctx_(ctx), registry_(registry), log_(log), resp_(resp) {
      StartRead(&req_);
    }

    void OnReadDone(bool ok) override {
      if (!ok) {
        Complete();
        return;
      }
      if (!have_options_ && req_.has_options()) {
        options_ = req_.options();
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
      absl::StatusOr<v1::ImportAccountsResponse> result = registry_.ImportAccounts(options_, rows_);
      if (result.ok()) *resp_ = std::move(*result);
      Done(result.status());
    }

    void Done(const absl::Status& status) {
      RequestLog::Entry(log_, "AccountService.ImportAccounts", ctx_->peer(),
                        options_.meta().actor())
          .Write(status);
      Finish(ToGrpcStatus(status));
    }

    grpc::CallbackServerContext* ctx_;
    Registry& registry_;
    const RequestLog& log_;
    v1::ImportAccountsResponse* resp_;
    v1::ImportAccountsRequest req_;
    v1::ImportOptions options_;
    bool have_options_ = false;
    std::vector<v1::ImportRow> rows_;
  };

  Registry& registry_;
  const RequestLog& log_;
};

class SegmentServiceImpl final : public v1::SegmentService::CallbackService {
 public:
  SegmentServiceImpl(Registry& registry, const RequestLog& log) : registry_(registry), log_(log) {}

  RAMPART_UNARY(SegmentService, GetSegment, GetSegmentRequest, Segment, GetSegment(r.key()))
  RAMPART_UNARY(SegmentService, ListSegments, ListSegmentsRequest, ListSegmentsResponse,
                ListSegments(r))
  RAMPART_UNARY(SegmentService, PutSegment, PutSegmentRequest, Segment, PutSegment(r))
  RAMPART_UNARY(SegmentService, DeleteSegment, DeleteSegmentRequest, DeleteResponse,
                DeleteSegment(r))
  RAMPART_UNARY(SegmentService, ListSegmentMembers, ListSegmentMembersRequest,
                ListAccountsResponse, ListSegmentMembers(r))

 private:
  Registry& registry_;
  const RequestLog& log_;
};

class FlagServiceImpl final : public v1::FlagService::CallbackService {
 public:
  FlagServiceImpl(Registry& registry, const RequestLog& log) : registry_(registry), log_(log) {}

  RAMPART_UNARY(FlagService, GetFlag, GetFlagRequest, Flag, GetFlag(r.key()))
  RAMPART_UNARY(FlagService, ListFlags, ListFlagsRequest, ListFlagsResponse, ListFlags(r))
  RAMPART_UNARY(FlagService, PutFlag, PutFlagRequest, Flag, PutFlag(r))
  RAMPART_UNARY(FlagService, ArchiveFlag, ArchiveFlagRequest, Flag, ArchiveFlag(r))
  RAMPART_UNARY(FlagService, SetOverride, SetOverrideRequest, Flag, SetOverride(r))
  RAMPART_UNARY(FlagService, RemoveOverride, RemoveOverrideRequest, Flag, RemoveOverride(r))

 private:
  Registry& registry_;
  const RequestLog& log_;
};

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  AuditServiceImpl(Registry& registry, const RequestLog& log) : registry_(registry), log_(log) {}

  RAMPART_UNARY(AuditService, ListAudit, ListAuditRequest, ListAuditResponse, ListAudit(r))

 private:
  Registry& registry_;
  const RequestLog& log_;
};

class EvaluationServiceImpl final : public v1::EvaluationService::CallbackService {
 public:
  EvaluationServiceImpl(Registry& registry, const RequestLog& log)
      : registry_(registry), log_(log) {}

  RAMPART_UNARY(EvaluationService, Evaluate, EvaluateRequest, EvaluationResult, Evaluate(r))
  RAMPART_UNARY(EvaluationService, EvaluateAll, EvaluateAllRequest, EvaluateAllResponse,
                EvaluateAll(r))

 private:
  Registry& registry_;
  const RequestLog& log_;
};

class RampServiceImpl final : public v1::RampService::CallbackService {
 public:
  RampServiceImpl(Registry& registry, const RequestLog& log) : registry_(registry), log_(log) {}

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
  Registry& registry_;
  const RequestLog& log_;
};

class CalendarServiceImpl final : public v1::CalendarService::CallbackService {
 public:
  CalendarServiceImpl(Registry& registry, const RequestLog& log)
      : registry_(registry), log_(log) {}

  RAMPART_UNARY(CalendarService, ImportCalendar, ImportCalendarRequest, CalendarYearSummary,
                ImportCalendar(r))
  RAMPART_UNARY(CalendarService, GetCalendar, GetCalendarRequest, CalendarView, GetCalendar(r))

 private:
  Registry& registry_;
  const RequestLog& log_;
};

class FreezeServiceImpl final : public v1::FreezeService::CallbackService {
 public:
  FreezeServiceImpl(Registry& registry, const RequestLog& log) : registry_(registry), log_(log) {}

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
  Registry& registry_;
  const RequestLog& log_;
};

class SupportServiceImpl final : public v1::SupportService::CallbackService {
 public:
  SupportServiceImpl(Registry& registry, const RequestLog& log) : registry_(registry), log_(log) {}

  RAMPART_UNARY(SupportService, Whois, WhoisRequest, WhoisView, Whois(r))
  RAMPART_UNARY(SupportService, History, HistoryRequest, HistoryResponse, History(r))

 private:
  Registry& registry_;
  const RequestLog& log_;
};

#undef RAMPART_UNARY

}  // namespace

std::vector<std::unique_ptr<grpc::Service>> MakeServices(Registry& registry,
                                                         const RequestLog& log) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<AccountServiceImpl>(registry, log));
  services.push_back(std::make_unique<SegmentServiceImpl>(registry, log));
  services.push_back(std::make_unique<FlagServiceImpl>(registry, log));
  services.push_back(std::make_unique<AuditServiceImpl>(registry, log));
  services.push_back(std::make_unique<EvaluationServiceImpl>(registry, log));
  services.push_back(std::make_unique<RampServiceImpl>(registry, log));
  services.push_back(std::make_unique<CalendarServiceImpl>(registry, log));
  services.push_back(std::make_unique<FreezeServiceImpl>(registry, log));
  services.push_back(std::make_unique<SupportServiceImpl>(registry, log));
  return services;
}

}  // namespace rampart::rpc
