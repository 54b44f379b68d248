// SPDX-License-Identifier: GPL-2.0-or-later
// Scoring (docs/diagnosis.md "Scoring"): requires gate a cause, rules_out
// remove it, supports add their weights. A cause's confidence is its score
// against its strongest rival's plus a constant for "a cause the catalog does
// not know": score / (score + rival + unexplained). A verdict needs a
// confidence above a threshold, so two causes the evidence cannot tell
// apart, or one cause with little evidence, give "unknown" — never a
// confident wrong answer.
#include "ceslab/diagnosis/engine.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string_view>

#include "evidence_summary.hpp"
#include "facts.hpp"

namespace ceslab::diagnosis {

namespace {

using detail::Facts;
using detail::Truth;

struct Scored {
  const CauseEntry* cause = nullptr;
  std::size_t index = 0;  // catalog order: the tie-break
  double score = 0;
  double confidence = 0;
  std::vector<Truth> supports;  // how each `supports` condition came out
};

void add_unique(std::vector<std::string>& out, const std::string& line) {
  if (std::find(out.begin(), out.end(), line) == out.end()) out.push_back(line);
}

std::string percent(double confidence) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", confidence);
  return buf;
}

// A set of fields as bits: Field has fewer than 64 enumerators.
using FieldSet = std::uint64_t;
static_assert(static_cast<unsigned>(Field::no_event) < 64);
constexpr FieldSet bit(Field f) {
  return FieldSet{1} << static_cast<unsigned>(f);
}

// The range of a cause's tests on one field (CauseEntry::tests is sorted).
auto tests_on(const CauseEntry& cause, Field field) {
  return std::equal_range(cause.tests.begin(), cause.tests.end(),
                          std::pair<Field, std::string>(field, ""),
                          [](const auto& a, const auto& b) { return a.first < b.first; });
}

// Fields the record does not show on which the causes' rules differ: seeing
// them would move the causes apart.
FieldSet distinguishing(const std::vector<const CauseEntry*>& causes, const Facts& facts) {
  FieldSet fields = 0;
  for (const auto* c : causes) {
    for (const auto& [f, written] : c->tests) fields |= bit(f);
  }
  FieldSet out = 0;
  for (const FieldInfo& info : field_info()) {
    const Field f = info.field;
    if ((fields & bit(f)) == 0 || detail::observed(f, facts)) continue;
    const auto [first_begin, first_end] = tests_on(*causes.front(), f);
    for (std::size_t i = 1; i < causes.size(); ++i) {
      const auto [begin, end] = tests_on(*causes[i], f);
      if (!std::equal(first_begin, first_end, begin, end)) {
        out |= bit(f);
        break;
      }
    }
  }
  return out;
}

bool names_any(const NextCheck& check, const std::vector<const CauseEntry*>& others) {
  for (const auto* other : others) {
    if (std::find(check.separates.begin(), check.separates.end(), other->id) !=
        check.separates.end())
      return true;
  }
  return false;
}

bool reveals_any(const NextCheck& check, FieldSet fields) {
  return std::any_of(check.reveals.begin(), check.reveals.end(),
                     [&](Field f) { return (fields & bit(f)) != 0; });
}

// A check is still worth asking for unless everything it reveals was seen.
bool useful(const NextCheck& check, const Facts& facts) {
  return check.reveals.empty() || std::any_of(check.reveals.begin(), check.reveals.end(),
                                              [&](Field f) { return !detail::observed(f, facts); });
}

// Collects next checks without repeats: a check whose `reveals` fields an
// earlier check already covers says nothing new (three causes' klist -f).
class CheckList {
 public:
  void add(const NextCheck& check) {
    if (!check.reveals.empty() && std::all_of(check.reveals.begin(), check.reveals.end(),
                                              [&](Field f) { return (covered_ & bit(f)) != 0; }))
      return;
    if (std::find(lines_.begin(), lines_.end(), check.text) != lines_.end()) return;
    lines_.push_back(check.text);
    for (Field f : check.reveals) covered_ |= bit(f);
  }
  void add(const std::string& line) { add_unique(lines_, line); }
  std::vector<std::string> take() { return std::move(lines_); }

 private:
  std::vector<std::string> lines_;
  FieldSet covered_ = 0;
};

// The next checks of `causes` that would tell them apart.
void add_separating_checks(const std::vector<const CauseEntry*>& causes, const Facts& facts,
                           CheckList& out) {
  const FieldSet fields = distinguishing(causes, facts);
  bool any = false;
  for (const auto* cause : causes) {
    std::vector<const CauseEntry*> others;
    for (const auto* c : causes) {
      if (c != cause) others.push_back(c);
    }
    for (const NextCheck& check : cause->next_checks) {
      if (!useful(check, facts)) continue;
      if (reveals_any(check, fields) || names_any(check, others)) {
        out.add(check);
        any = true;
      }
    }
  }
  if (!any && fields != 0) {
    std::string names;
    for (const FieldInfo& info : field_info()) {
      if ((fields & bit(info.field)) != 0)
        names += (names.empty() ? "" : ", ") + std::string(info.name);
    }
    out.add("Not observed, and would tell them apart: " + names);
  }
}

Candidate candidate_of(const Scored& s, const Facts& facts) {
  const CauseEntry& cause = *s.cause;
  std::vector<std::string> matched;
  std::vector<std::string> against;
  for (const auto& rule : cause.evidence.requires_all)
    matched.push_back(detail::describe_match(rule, facts));
  for (std::size_t i = 0; i < cause.evidence.supports.size(); ++i) {
    const Condition& rule = cause.evidence.supports[i];
    if (s.supports[i] == Truth::holds) matched.push_back(detail::describe_match(rule, facts));
    if (s.supports[i] == Truth::fails) against.push_back(detail::describe_mismatch(rule, facts));
  }
  return {.cause = cause.id,
          .title = cause.title,
          .layer = cause.layer,
          .family = cause.family,
          .confidence = s.confidence,
          .score = s.score,
          .matched = std::move(matched),
          .against = std::move(against),
          .separating = {},  // add_candidates adds them
          .remediation = cause.remediation,
          .references = cause.references};
}

void add_ruled_out_reasons(const Diagnosis& d, const std::vector<std::string>& ids,
                           std::vector<std::string>& why) {
  for (const RuledOut& r : d.ruled_out) {
    if (std::find(ids.begin(), ids.end(), r.cause) == ids.end()) continue;
    why.push_back("Not " + r.cause + ": " + r.because.front() + ".");
  }
}

// The causes related to `cause` that were ruled out: its family and look-alikes.
std::vector<std::string> relatives(const Catalog& catalog, const CauseEntry& cause) {
  std::vector<std::string> out = cause.look_alikes;
  if (const Family* f = catalog.find_family(cause.family)) {
    for (const auto& id : f->members) {
      if (id != cause.id) add_unique(out, id);
    }
  }
  for (const CauseEntry& other : catalog.causes()) {
    if (std::find(other.look_alikes.begin(), other.look_alikes.end(), cause.id) !=
        other.look_alikes.end())
      add_unique(out, other.id);
  }
  return out;
}

// A cause the requires gate lets in, with its score; nullopt when the gate
// keeps it out or a rules_out condition removes it (said in d.ruled_out).
std::optional<Scored> score_cause(const CauseEntry& cause, std::size_t index, const Facts& facts,
                                  Diagnosis& d) {
  double score = 0;
  for (const auto& rule : cause.evidence.requires_all) {
    if (detail::evaluate(rule, facts) != Truth::holds) return std::nullopt;
    score += rule.weight;
  }
  std::vector<std::string> because;
  for (const auto& rule : cause.evidence.rules_out) {
    if (detail::evaluate(rule, facts) == Truth::holds)
      because.push_back(detail::describe_match(rule, facts));
  }
  if (!because.empty()) {
    d.ruled_out.push_back({cause.id, cause.title, std::move(because)});
    return std::nullopt;
  }
  std::vector<Truth> supports;
  supports.reserve(cause.evidence.supports.size());
  for (const auto& rule : cause.evidence.supports) {
    supports.push_back(detail::evaluate(rule, facts));
    if (supports.back() == Truth::holds) score += rule.weight;
  }
  return Scored{&cause, index, score, 0, std::move(supports)};
}

// The causes still in the running, best first (catalog order breaks ties),
// each with its confidence against its strongest rival.
std::vector<Scored> score_causes(const Catalog& catalog, const Facts& facts,
                                 const EngineOptions& options, Diagnosis& d) {
  std::vector<Scored> viable;
  const auto& causes = catalog.causes();
  for (std::size_t i = 0; i < causes.size(); ++i) {
    if (auto scored = score_cause(causes[i], i, facts, d)) viable.push_back(std::move(*scored));
  }
  std::stable_sort(viable.begin(), viable.end(), [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score > b.score : a.index < b.index;
  });
  // Each candidate against its strongest rival, plus the unexplained share.
  for (std::size_t i = 0; i < viable.size(); ++i) {
    const double rival = i == 0 ? (viable.size() > 1 ? viable[1].score : 0.0) : viable[0].score;
    viable[i].confidence = viable[i].score / (viable[i].score + rival + options.unexplained);
  }
  return viable;
}

// Each candidate, with the checks that would separate it from its neighbour.
void add_candidates(const std::vector<Scored>& viable, const Facts& facts, Diagnosis& d) {
  for (std::size_t i = 0; i < viable.size(); ++i) {
    Candidate c = candidate_of(viable[i], facts);
    CheckList separating;
    if (viable.size() > 1) {
      const std::size_t other = i + 1 < viable.size() ? i + 1 : i - 1;
      add_separating_checks({viable[i].cause, viable[other].cause}, facts, separating);
    } else {
      for (const NextCheck& check : viable[i].cause->next_checks) {
        if (useful(check, facts)) separating.add(check);
      }
    }
    c.separating = separating.take();
    d.candidates.push_back(std::move(c));
  }
}

// The next checks: those gathered, then the catalog's generic ones.
void add_generic_checks(const Catalog& catalog, const Facts& facts, CheckList& checks,
                        Diagnosis& d) {
  for (const NextCheck& check : catalog.unknown().next_checks) {
    if (useful(check, facts)) checks.add(check);
  }
  d.next_checks = checks.take();
}

// No cause fits: unknown, with what ruled out the causes it resembles.
void answer_no_cause(const Catalog& catalog, const Facts& facts, Diagnosis& d) {
  const UnknownEntry& unknown = catalog.unknown();
  d.verdict = std::string(kUnknown);
  const std::string title =
      unknown.title.empty() ? "No cause of the catalog fits this evidence" : unknown.title;
  d.why.push_back(title +
                  (d.ruled_out.empty() ? "." : " (the causes it resembles were ruled out)."));
  if (!unknown.explanation.empty()) d.why.push_back(unknown.explanation);
  std::vector<std::string> ids;
  for (const RuledOut& r : d.ruled_out) ids.push_back(r.cause);
  add_ruled_out_reasons(d, ids, d.why);
  CheckList checks;
  add_generic_checks(catalog, facts, checks, d);
}

// The best cause is confident enough to be named.
void answer_named(const Catalog& catalog, const std::vector<Scored>& viable, const Facts& facts,
                  Diagnosis& d) {
  const Scored& best = viable.front();
  const CauseEntry& cause = *best.cause;
  d.verdict = cause.id;
  d.why.push_back("The evidence points to " + cause.id + " (" + cause.title + "), confidence " +
                  percent(best.confidence) + ".");
  for (const auto& line : d.candidates.front().matched) d.why.push_back("Seen: " + line + ".");
  add_ruled_out_reasons(d, relatives(catalog, cause), d.why);
  if (viable.size() > 1) {
    d.why.push_back("Next best: " + viable[1].cause->id + " (confidence " +
                    percent(viable[1].confidence) + ").");
  }
  CheckList checks;
  for (const NextCheck& check : cause.next_checks) {
    if (useful(check, facts)) checks.add(check);
  }
  d.next_checks = checks.take();
}

// Unknown: causes the evidence cannot tell apart, or too little evidence
// for the best one.
void answer_undecided(const Catalog& catalog, const std::vector<Scored>& viable, const Facts& facts,
                      const EngineOptions& options, Diagnosis& d) {
  const Scored& best = viable.front();
  d.verdict = std::string(kUnknown);
  std::vector<const CauseEntry*> tied;
  for (const Scored& s : viable) {
    if (s.score >= options.tie_ratio * best.score) tied.push_back(s.cause);
  }
  CheckList checks;
  if (tied.size() >= 2) {
    std::string ids;
    for (const auto* c : tied) {
      d.tied.push_back(c->id);
      ids += (ids.empty() ? "" : ", ") + c->id;
    }
    d.why.push_back(std::to_string(tied.size()) +
                    " causes fit and this evidence cannot tell them apart: " + ids + ".");
    const std::string& family = tied.front()->family;
    const bool shared =
        !family.empty() &&
        std::all_of(tied.begin(), tied.end(), [&](const auto* c) { return c->family == family; });
    if (shared) {
      d.family = family;
      const Family* f = catalog.find_family(family);
      d.why.push_back("They share one wire shape: " + f->title + ". " + f->explanation);
    }
    add_ruled_out_reasons(d, relatives(catalog, *tied.front()), d.why);
    add_separating_checks(tied, facts, checks);
  } else {
    d.why.push_back("The best candidate, " + best.cause->id + " (" + best.cause->title +
                    "), has confidence " + percent(best.confidence) + ", below " +
                    percent(options.min_confidence) + ": too little evidence to name it.");
    for (std::size_t i = 0; i < viable.size() && i < 3; ++i) {
      for (const NextCheck& check : viable[i].cause->next_checks) {
        if (useful(check, facts)) checks.add(check);
      }
    }
  }
  add_generic_checks(catalog, facts, checks, d);
}

// The causes ranked and the verdict they give, before the catalog's
// `outside` and `succeeded` declarations have their say.
Diagnosis rank(const Catalog& catalog, const Facts& facts, const EngineOptions& options) {
  Diagnosis d;
  const std::vector<Scored> viable = score_causes(catalog, facts, options, d);
  add_candidates(viable, facts, d);
  d.seen = detail::seen_lines(facts);
  if (viable.empty()) {
    answer_no_cause(catalog, facts, d);
  } else {
    d.confidence = viable.front().confidence;
    if (d.confidence >= options.min_confidence) {
      answer_named(catalog, viable, facts, d);
    } else {
      answer_undecided(catalog, viable, facts, options, d);
    }
  }
  return d;
}

// Another product answered: no CES cause is named, whatever scored.
void answer_outside(const OutsideEntry& entry, const Facts& facts, Diagnosis& d) {
  d.outside = entry.id;
  d.verdict = std::string(kUnknown);
  d.tied.clear();
  d.family.clear();
  d.why = {entry.title + ".", entry.explanation};
  if (!d.candidates.empty()) {
    const Candidate& best = d.candidates.front();
    d.why.push_back("No CES cause is named for it. Its codes alone would fit " + best.cause + " (" +
                    best.title + "), had CES given them.");
  }
  CheckList checks;
  for (const NextCheck& check : entry.next_checks) {
    if (useful(check, facts)) checks.add(check);
  }
  d.next_checks = checks.take();
}

}  // namespace

Diagnosis diagnose(const Catalog& catalog, const core::Evidence& evidence,
                   const EngineOptions& options) {
  const Facts facts(evidence);
  Diagnosis d = rank(catalog, facts, options);
  for (const OutsideEntry& entry : catalog.outside()) {
    if (detail::evaluate(entry.when, facts) == Truth::holds) {
      answer_outside(entry, facts, d);
      return d;
    }
  }
  // The first condition that holds: `always` whatever the causes scored,
  // `when` only if no cause was named. Each is evaluated once.
  const SucceededEntry& succeeded = catalog.succeeded();
  const auto holding = [&](const std::vector<Condition>& list) -> const Condition* {
    for (const Condition& c : list) {
      if (detail::evaluate(c, facts) == Truth::holds) return &c;
    }
    return nullptr;
  };
  const Condition* when = holding(succeeded.always);
  if (when == nullptr && d.verdict == kUnknown) when = holding(succeeded.when);
  if (when == nullptr) return d;
  const std::string named = d.verdict != kUnknown ? d.verdict : std::string();
  d.verdict = std::string(kSucceeded);
  d.confidence = 1.0;
  d.tied.clear();
  d.family.clear();
  d.why = {succeeded.title + ": " + detail::describe_match(*when, facts) + ".",
           succeeded.explanation};
  if (!named.empty()) {
    const CauseEntry* cause = catalog.find(named);
    d.why.push_back("It did not stop this exchange, but the rest of the evidence names " + named +
                    (cause ? " (" + cause->title + ")" : std::string()) +
                    ": worth a look of its own, unless it belongs to another request (an "
                    "exported log holds the events of every request).");
  }
  d.next_checks.clear();
  return d;
}

}  // namespace ceslab::diagnosis
