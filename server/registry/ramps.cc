// Registry: ramps (rollout plans), beta enrollment, problem reports and the
// kill switch. Being written (issue 4): every call answers UNIMPLEMENTED.
#include "server/registry/registry.h"

namespace rampart::registry {
namespace {
absl::Status Todo() { return absl::UnimplementedError("ramps: not built yet"); }
}  // namespace

absl::StatusOr<v1::Ramp> Registry::CreateRamp(const v1::CreateRampRequest&) { return Todo(); }
absl::StatusOr<v1::Ramp> Registry::UpdateRamp(const v1::UpdateRampRequest&) { return Todo(); }
absl::StatusOr<v1::Ramp> Registry::GetRamp(absl::string_view) const { return Todo(); }
absl::StatusOr<v1::DeleteResponse> Registry::DeleteRamp(const v1::DeleteRampRequest&) {
  return Todo();
}
absl::StatusOr<v1::RampStatusView> Registry::GetRampStatus(absl::string_view) const {
  return Todo();
}
absl::StatusOr<v1::RampPreview> Registry::PreviewRamp(const v1::PreviewRampRequest&) const {
  return Todo();
}
absl::StatusOr<v1::Ramp> Registry::StartRamp(const v1::RampActionRequest&) { return Todo(); }
absl::StatusOr<v1::StepResponse> Registry::AdvanceRamp(const v1::AdvanceRampRequest&) {
  return Todo();
}
absl::StatusOr<v1::StepResponse> Registry::ApproveRamp(const v1::RampActionRequest&) {
  return Todo();
}
absl::StatusOr<v1::Ramp> Registry::PauseRamp(const v1::RampActionRequest&) { return Todo(); }
absl::StatusOr<v1::Ramp> Registry::ResumeRamp(const v1::RampActionRequest&) { return Todo(); }
absl::StatusOr<v1::Ramp> Registry::RollbackRamp(const v1::RollbackRampRequest&) { return Todo(); }
absl::StatusOr<v1::ListRampTemplatesResponse> Registry::ListRampTemplates() const {
  return Todo();
}
absl::StatusOr<v1::RampTemplate> Registry::GetRampTemplate(absl::string_view) const {
  return Todo();
}
absl::StatusOr<v1::RampTemplate> Registry::PutRampTemplate(const v1::PutRampTemplateRequest&) {
  return Todo();
}
absl::StatusOr<v1::BetaEnrollmentResponse> Registry::EnrollBeta(
    const v1::BetaEnrollmentRequest&) {
  return Todo();
}
absl::StatusOr<v1::BetaEnrollmentResponse> Registry::WithdrawBeta(
    const v1::BetaEnrollmentRequest&) {
  return Todo();
}
absl::StatusOr<v1::ProblemReport> Registry::ReportProblem(const v1::ReportProblemRequest&) {
  return Todo();
}
absl::StatusOr<v1::ListProblemsResponse> Registry::ListProblems(
    const v1::ListProblemsRequest&) const {
  return Todo();
}
absl::StatusOr<v1::Flag> Registry::KillFlag(const v1::KillFlagRequest&) { return Todo(); }
absl::StatusOr<int> Registry::RunDueSteps(absl::Time) { return Todo(); }
absl::StatusOr<std::optional<absl::Time>> Registry::NextDueTime() const { return Todo(); }

}  // namespace rampart::registry
