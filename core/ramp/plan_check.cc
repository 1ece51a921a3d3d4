#include "core/ramp/plan_check.h"

#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/eval/bucketing.h"

namespace rampart::ramp {
namespace {

// "stage 3" or "stage 2 ("closed beta")"; `index` counts from 0.
std::string StageLabel(size_t index, absl::string_view name) {
  if (name.empty()) return absl::StrCat("stage ", index + 1);
  return absl::StrFormat("stage %d (\"%s\")", index + 1, name);
}

}  // namespace

std::string FormatStageSize(const StageSize& size) {
  switch (size.kind) {
    case StageSize::Kind::kCount:
      return absl::StrCat(size.count);
    case StageSize::Kind::kPercent: {
      // Thousandths of a percent, shown exactly and without trailing zeros.
      std::string s = absl::StrCat(size.percent_thousandths / 1000);
      uint32_t frac = size.percent_thousandths % 1000;
      if (frac != 0) {
        std::string digits = absl::StrFormat("%03d", frac);
        while (digits.back() == '0') digits.pop_back();
        absl::StrAppend(&s, ".", digits);
      }
      return absl::StrCat(s, "%");
    }
    case StageSize::Kind::kAll:
      return "all";
  }
  return "?";
}

absl::Status CheckStageSizes(absl::Span<const StageSpec> stages) {
  if (stages.empty()) return absl::InvalidArgumentError("a ramp needs at least one stage");
  // The latest count and percentage stages so far: since each stage is
  // checked against the latest of its kind, that one is also the largest.
  std::optional<size_t> last_count;
  std::optional<size_t> last_percent;
  for (size_t i = 0; i < stages.size(); ++i) {
    const StageSize& size = stages[i].size;
    std::optional<size_t>* last = nullptr;
    bool smaller = false;
    switch (size.kind) {
      case StageSize::Kind::kCount:
        if (size.count == 0) {
          return absl::InvalidArgumentError(
              absl::StrCat(StageLabel(i, stages[i].name), ": size 0: a count must be at least 1"));
        }
        last = &last_count;
        smaller = last_count && size.count < stages[*last_count].size.count;
        break;
      case StageSize::Kind::kPercent:
        if (size.percent_thousandths == 0 || size.percent_thousandths > eval::kWeightTotal) {
          return absl::InvalidArgumentError(absl::StrCat(StageLabel(i, stages[i].name), ": size ",
                                                         FormatStageSize(size),
                                                         ": a percentage must be in (0, 100%]"));
        }
        last = &last_percent;
        smaller = last_percent &&
                  size.percent_thousandths < stages[*last_percent].size.percent_thousandths;
        break;
      case StageSize::Kind::kAll:
        continue;
    }
    if (smaller) {
      const size_t earlier = **last;
      return absl::InvalidArgumentError(absl::StrCat(
          StageLabel(i, stages[i].name), ": size ", FormatStageSize(size), " is smaller than ",
          StageLabel(earlier, stages[earlier].name), "'s ", FormatStageSize(stages[earlier].size)));
    }
    *last = i;
  }
  return absl::OkStatus();
}

absl::Status CheckProtected(absl::Span<const StageSpec> stages,
                            absl::Span<const std::string> protected_segments) {
  const absl::flat_hash_set<absl::string_view> is_protected(protected_segments.begin(),
                                                            protected_segments.end());
  // Every stage but the last.
  for (size_t i = 0; i + 1 < stages.size(); ++i) {
    for (const std::string& segment : stages[i].included_segments) {
      if (is_protected.contains(segment)) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s: includes protected segment \"%s\"; only the final stage may",
                            StageLabel(i, stages[i].name), segment));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace rampart::ramp
