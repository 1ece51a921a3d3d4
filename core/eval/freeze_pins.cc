#include "core/eval/freeze_pins.h"

#include <algorithm>

#include "core/common/time_util.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"

namespace rampart::eval {
namespace {

// The pin was taken for this window: at its start, or at one of the
// earlier starts a recomputation moved it from (FreezeWindow.pin_starts).
bool SameWindow(const v1::FreezePin& pin, const v1::SegmentFreezeWindows& list,
                const v1::FreezeWindow& w) {
  if (pin.segment() != list.segment() || pin.time_zone() != list.time_zone()) return false;
  const absl::Time start = FromProto(pin.window_start());
  return start == FromProto(w.start()) ||
         std::any_of(w.pin_starts().begin(), w.pin_starts().end(),
                     [&](const google::protobuf::Timestamp& t) { return FromProto(t) == start; });
}

// Makes `pin` the pin of `w` as the schedule has it now (its end may have
// moved since the pin was taken). Its start stays when it was taken (the
// window's pin_starts name it), and so does the flag it holds.
void Rekey(const v1::FreezeWindow& w, v1::FreezePin& pin) {
  *pin.mutable_window_end() = w.end();
  pin.set_calendar(w.calendar());
  pin.set_rule(w.rule());
}

// The flag without what the server keeps beside its state.
v1::Flag Pinnable(const v1::Flag& flag) {
  v1::Flag f = flag;
  f.clear_freeze_pins();
  return f;
}

// Copies into `pinned` the top-level fields that differ between `before`
// and `after` (bookkeeping fields aside).
void ApplyChangedFields(const v1::Flag& before, const v1::Flag& after, v1::Flag& pinned) {
  const google::protobuf::Descriptor* d = v1::Flag::descriptor();
  std::vector<const google::protobuf::FieldDescriptor*> changed;
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = d->field(i);
    if (field->number() == v1::Flag::kFreezePinsFieldNumber ||
        field->number() == v1::Flag::kRevisionFieldNumber ||
        field->number() == v1::Flag::kCreatedAtFieldNumber ||
        field->number() == v1::Flag::kUpdatedAtFieldNumber) {
      continue;
    }
    google::protobuf::util::MessageDifferencer diff;
    const std::vector<const google::protobuf::FieldDescriptor*> only = {field};
    if (!diff.CompareWithFields(before, after, only, only)) changed.push_back(field);
  }
  if (changed.empty()) return;
  v1::Flag source = after;
  v1::Flag::GetReflection()->SwapFields(&pinned, &source, changed);
}

// Drops the pins whose window ended at or before `now`.
void EraseClosed(google::protobuf::RepeatedPtrField<v1::FreezePin>& pins, absl::Time now) {
  pins.erase(std::remove_if(pins.begin(), pins.end(),
                            [&](const v1::FreezePin& p) {
                              return FromProto(p.window_end()) <= now;
                            }),
             pins.end());
}

}  // namespace

void UpdatePins(const v1::Flag* before, v1::Flag& after, const v1::FreezeSchedule& schedule,
                absl::Time now, bool break_freeze) {
  google::protobuf::RepeatedPtrField<v1::FreezePin> pins;
  if (before != nullptr) pins = before->freeze_pins();
  const bool existed = before != nullptr && !before->archived();
  for (const v1::SegmentFreezeWindows& list : schedule.segments()) {
    for (const v1::FreezeWindow& w : list.windows()) {
      if (!(FromProto(w.start()) <= now && now < FromProto(w.end()))) continue;
      auto it = std::find_if(pins.begin(), pins.end(),
                             [&](const v1::FreezePin& p) { return SameWindow(p, list, w); });
      if (break_freeze) {
        // The change reaches this window's accounts at once.
        if (it == pins.end()) continue;  // unchanged since it opened: nothing held
        if (it->absent() || !existed) {
          pins.erase(it);
        } else {
          ApplyChangedFields(*before, after, *it->mutable_flag());
          Rekey(w, *it);
        }
        continue;
      }
      if (it != pins.end()) {  // pinned earlier in this window
        Rekey(w, *it);
        continue;
      }
      v1::FreezePin* pin = pins.Add();
      pin->set_segment(list.segment());
      pin->set_time_zone(list.time_zone());
      *pin->mutable_window_start() = w.start();
      *pin->mutable_window_end() = w.end();
      *pin->mutable_accounts() = w.accounts();
      pin->set_calendar(w.calendar());
      pin->set_rule(w.rule());
      if (existed) {
        *pin->mutable_flag() = Pinnable(*before);
      } else {
        pin->set_absent(true);
      }
    }
  }
  // Closed windows (after the open ones took their pins, whose recorded
  // end may be older than the window's): their accounts have the flag's
  // current state again.
  EraseClosed(pins, now);
  *after.mutable_freeze_pins() = std::move(pins);
}

bool DropClosedPins(v1::Flag& flag, absl::Time now) {
  const int before = flag.freeze_pins_size();
  EraseClosed(*flag.mutable_freeze_pins(), now);
  return flag.freeze_pins_size() != before;
}

}  // namespace rampart::eval
