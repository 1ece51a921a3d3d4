#include "core/eval/ramp_serving.h"

#include "core/eval/bucketing.h"

namespace rampart::eval {

void ForEachSegmentNamedBy(const v1::RampServing& serving,
                           absl::FunctionRef<void(const std::string&)> fn) {
  for (const std::string& key : serving.protected_segments()) fn(key);
  for (const v1::ServingStage& stage : serving.stages()) {
    for (const std::string& key : stage.audience().segments()) fn(key);
    for (const std::string& key : stage.audience().excluded_segments()) fn(key);
  }
}

absl::flat_hash_set<std::string> SegmentsNamedBy(const v1::RampServing& serving) {
  absl::flat_hash_set<std::string> keys;
  ForEachSegmentNamedBy(serving, [&](const std::string& key) { keys.insert(key); });
  return keys;
}

CompiledRamp::CompiledRamp(const v1::RampServing& serving)
    : serving_(&serving), active_(serving.active()), salt_(serving.salt()) {
  stages_.reserve(serving.stages_size());
  for (const v1::ServingStage& s : serving.stages()) {
    Stage stage;
    stage.source = &s;
    switch (s.size_case()) {
      case v1::ServingStage::kCohort:
        stage.is_count = true;
        stage.cohort.reserve(s.cohort().values_size());
        for (const std::string& key : s.cohort().values()) stage.cohort.insert(key);
        break;
      case v1::ServingStage::kPercentThousandths:
        stage.threshold = BucketThreshold(s.percent_thousandths() > 100000
                                              ? 100000
                                              : s.percent_thousandths());
        stage.by_user = s.unit() == v1::ROLLOUT_UNIT_USER;
        break;
      case v1::ServingStage::kAll:
      case v1::ServingStage::SIZE_NOT_SET:
        stage.threshold = BucketThreshold(100000);
        break;
    }
    stages_.push_back(std::move(stage));
  }
  beta_.reserve(serving.beta_enrolled_size());
  for (const std::string& key : serving.beta_enrolled()) beta_.insert(key);
}

bool CompiledRamp::InAudience(const Stage& stage, absl::string_view account_key,
                              InSegment in_segment) const {
  const v1::RampAudience& audience = stage.source->audience();
  if (audience.beta_enrolled() && !beta_.contains(account_key)) return false;
  if (audience.segments_size() > 0) {
    bool in_any = false;
    for (const std::string& s : audience.segments()) {
      if (in_segment(s)) {
        in_any = true;
        break;
      }
    }
    if (!in_any) return false;
  }
  for (const std::string& s : audience.excluded_segments()) {
    if (in_segment(s)) return false;
  }
  if (!stage.source->final()) {
    for (const std::string& s : serving_->protected_segments()) {
      if (in_segment(s)) return false;
    }
  }
  return true;
}

int CompiledRamp::MatchIndex(absl::string_view account_key, absl::string_view user_key,
                             InSegment in_segment) const {
  if (account_key.empty()) return -1;
  for (int i = static_cast<int>(stages_.size()) - 1; i >= 0; --i) {
    const Stage& stage = stages_[i];
    if (stage.is_count) {
      if (stage.cohort.contains(account_key)) return i;
      continue;
    }
    if (!InAudience(stage, account_key, in_segment)) continue;
    if (stage.threshold >= BucketThreshold(100000)) return i;
    const absl::string_view unit = stage.by_user && !user_key.empty() ? user_key : account_key;
    if (BucketOf(salt_, unit) < stage.threshold) return i;
  }
  return -1;
}

const v1::ServingStage* CompiledRamp::Match(absl::string_view account_key,
                                            absl::string_view user_key,
                                            InSegment in_segment) const {
  const int i = MatchIndex(account_key, user_key, in_segment);
  return i < 0 ? nullptr : stages_[i].source;
}

}  // namespace rampart::eval
