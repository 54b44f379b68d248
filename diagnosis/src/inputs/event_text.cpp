// SPDX-License-Identifier: GPL-2.0-or-later
// Event-log exports as text:
//   Get-WinEvent | Format-List    "TimeCreated  : ...", "ProviderName : ...", "Id : ...",
//                                 "Message      : ..." with the message's further lines
//                                 indented to the value column (Format-List * adds
//                                 LevelDisplayName, LogName, MachineName, ...)
//   Get-EventLog | Format-List    EventID, EntryType, Source, TimeGenerated, MachineName
//   Event Viewer "Copy details as text"
//                                 "Log Name:", "Source:", "Date:", "Event ID:", "Level:",
//                                 "Computer:", then "Description:" and the message lines
//   wevtutil qe ... /f:text       "Event[0]:" then the same keys indented, "Description:"
#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "ceslab/core/text.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

// Every key these exports print; anything else at the start of a line is
// not a field (a message line such as "Subject:" inside a 4625 text).
constexpr std::array<std::string_view, 40> kKeys{"TimeCreated",
                                                 "ProviderName",
                                                 "Id",
                                                 "Message",
                                                 "LevelDisplayName",
                                                 "Level",
                                                 "LogName",
                                                 "MachineName",
                                                 "Keywords",
                                                 "KeywordsDisplayNames",
                                                 "RecordId",
                                                 "TaskDisplayName",
                                                 "Task",
                                                 "Opcode",
                                                 "OpcodeDisplayName",
                                                 "ContainerLog",
                                                 "ProviderId",
                                                 "ProcessId",
                                                 "ThreadId",
                                                 "UserId",
                                                 "Version",
                                                 "Qualifiers",
                                                 "EventID",
                                                 "InstanceId",
                                                 "EntryType",
                                                 "Source",
                                                 "TimeGenerated",
                                                 "TimeWritten",
                                                 "Index",
                                                 "Category",
                                                 "UserName",
                                                 "Log Name",
                                                 "Event ID",
                                                 "Date",
                                                 "Task Category",
                                                 "Keyword",
                                                 "User",
                                                 "User Name",
                                                 "Computer",
                                                 "Description"};

using Record = std::map<std::string, std::string>;

struct KeyLine {
  std::string key;
  std::string value;
  std::size_t value_column = 0;
};

// "Key   : value" / "Key: value", the key one of kKeys.
std::optional<KeyLine> key_line(std::string_view line) {
  std::size_t start = 0;
  while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
  const std::size_t colon = line.find(':', start);
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view key = trim(line.substr(start, colon - start));
  const auto known = std::find_if(kKeys.begin(), kKeys.end(),
                                  [&](std::string_view k) { return core::iequals(k, key); });
  if (known == kKeys.end()) return std::nullopt;
  std::size_t value = colon + 1;
  while (value < line.size() && line[value] == ' ') ++value;
  return KeyLine{std::string(*known), std::string(line.substr(value)), value};
}

const std::string* field(const Record& r, std::initializer_list<std::string_view> keys) {
  for (const std::string_view k : keys) {
    const auto it = r.find(std::string(k));
    if (it != r.end() && !trim(it->second).empty()) return &it->second;
  }
  return nullptr;
}

std::optional<int> number(std::string_view text) {
  text = trim(text);
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

void flush(Record& record, Reading& r, int& found) {
  if (record.empty()) return;
  const std::string* id_text = field(record, {"Id", "EventID", "Event ID"});
  std::optional<int> id = id_text ? number(*id_text) : std::nullopt;
  if (!id) {
    if (const std::string* instance = field(record, {"InstanceId"})) {
      if (const auto n = number(*instance)) id = *n & 0xFFFF;  // InstanceId carries qualifiers
    }
  }
  if (!id) {
    r.facts.push_back("an event without an Id was skipped");
    record.clear();
    return;
  }
  core::ServerEvent ev;
  ev.id = *id;
  const auto get = [&](std::initializer_list<std::string_view> keys) {
    const std::string* v = field(record, keys);
    return v ? std::string(trim(*v)) : std::string();
  };
  ev.source = get({"ProviderName", "Source"});
  ev.log = get({"LogName", "Log Name", "ContainerLog"});
  ev.host = get({"MachineName", "Computer"});
  ev.time = get({"TimeCreated", "TimeGenerated", "Date"});
  ev.message = get({"Message", "Description"});
  std::string level = get({"LevelDisplayName", "EntryType"});
  if (level.empty()) {
    const std::string l = get({"Level"});
    const auto n = number(l);
    level = n ? level_name(*n) : l;
  }
  // Audit events: "KeywordsDisplayNames : {Audit Failure}", "Keyword: Audit Failure", or the
  // keyword bits as Format-List * prints them (signed: -9218868437227405312 = 0x8010...).
  const std::string names =
      get({"KeywordsDisplayNames"}) + " " + get({"Keyword"}) + " " + get({"Keywords"});
  long long bits = 0;
  const std::string numeric = get({"Keywords"});
  std::from_chars(numeric.data(), numeric.data() + numeric.size(), bits);
  const auto ubits = static_cast<unsigned long long>(bits);
  if (contains_icase(names, "Audit Failure") || level == "FailureAudit" ||
      (ubits & 0x0010000000000000ULL) != 0)
    level = "Audit Failure";
  if (contains_icase(names, "Audit Success") || level == "SuccessAudit" ||
      (ubits & 0x0020000000000000ULL) != 0)
    level = "Audit Success";
  ev.level = level;
  add_event(std::move(ev), r);
  ++found;
  record.clear();
}

}  // namespace

Reading read_event_text(std::string_view name, std::string_view text) {
  Reading r;
  Record record;
  int found = 0;
  std::string* open = nullptr;  // the field continuation lines belong to
  std::size_t open_column = 0;  // Format-List indents them to the value column
  bool description = false;     // after "Description:" every line is message
  bool wevtutil = false;        // "Event[N]:" blocks indent their keys

  for (const std::string_view line : split_lines(text)) {
    const std::string_view t = trim(line);
    const bool event_header = t.size() > 7 && t.substr(0, 6) == "Event[" && t.back() == ':';
    if (description) {
      const bool ends =
          event_header || starts_with_icase(t, "Log Name:") || starts_with_icase(t, "Event Xml:");
      if (!ends) {
        std::string& m = record["Description"];
        m += (m.empty() ? "" : "\n") + std::string(line);
        continue;
      }
      description = false;
    }
    if (event_header) {
      flush(record, r, found);
      wevtutil = true;
      open = nullptr;
      continue;
    }
    if (starts_with_icase(t, "Event Xml:")) {
      open = nullptr;
      continue;
    }
    const bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    const auto key = (!indented || wevtutil) ? key_line(line) : std::nullopt;
    if (key) {
      const bool repeats = record.count(key->key) != 0;
      if (repeats || (key->key == "Log Name" && !wevtutil)) flush(record, r, found);
      record[key->key] = key->value;
      open = &record[key->key];
      open_column = key->value_column;
      if (key->key == "Description") description = true;
      continue;
    }
    if (open != nullptr && (t.empty() || indented)) {
      std::size_t cut = 0;
      while (cut < line.size() && cut < open_column && (line[cut] == ' ' || line[cut] == '\t'))
        ++cut;
      *open += "\n" + std::string(line.substr(cut));
    }
  }
  flush(record, r, found);
  if (found == 0) {
    throw InputError(std::string(name),
                     "holds no event record (Get-WinEvent | Format-List, Event Viewer text "
                     "or wevtutil /f:text)");
  }
  r.facts.insert(r.facts.begin(), std::to_string(found) + (found == 1 ? " event" : " events") +
                                      " in the text export");
  return r;
}

}  // namespace ceslab::diagnosis::inputs
