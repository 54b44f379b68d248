// SPDX-License-Identifier: GPL-2.0-or-later
// Event-log exports as text:
//   Get-WinEvent | Format-List    "TimeCreated  : ...", "ProviderName : ...", "Id : ...",
//                                 "Message      : ..." with the message's further lines
//                                 indented to the value column (Format-List * adds
//                                 LevelDisplayName, LogName, MachineName, ...)
//   Get-EventLog | Format-List    Index, EntryType, InstanceId, Message, ..., Source,
//                                 TimeGenerated (Format-List * adds EventID, MachineName)
//   Get-EventLog (default table)  "Index Time EntryType Source InstanceID Message" with the
//                                 columns the dashes under the header span; PowerShell cuts
//                                 a long Source to the column ("Microsoft-Windows...")
//   Event Viewer "Copy details as text"
//                                 "Log Name:", "Source:", "Date:", "Event ID:", "Level:",
//                                 "Computer:", then "Description:" and the message lines
//   wevtutil qe ... /f:text       "Event[0]:" then the same keys indented, "Description:"
// Event Viewer's and wevtutil's labels are in the display language (German
// "Protokollname:", French "Nom du journal :"): english_label maps them, and
// english_level the localized level names.
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
constexpr std::array<std::string_view, 43> kKeys{"TimeCreated",
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
                                                 "Time",
                                                 "Index",
                                                 "Category",
                                                 "CategoryNumber",
                                                 "ReplacementStrings",
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
  const std::string_view key = english_label(trim(line.substr(start, colon - start)));
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
  std::optional<int> id;
  if (id_text) id = number(*id_text);
  if (!id) {
    // Get-EventLog's InstanceId carries the qualifiers (severity, facility)
    // in its high word for classic sources: 3221225487 is event 15.
    if (const std::string* instance = field(record, {"InstanceId"})) {
      const std::string_view t = trim(*instance);
      long long n = 0;
      const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
      if (ec == std::errc{} && ptr == t.data() + t.size() && n >= 0)
        id = static_cast<int>(n & 0xFFFF);
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
  // LevelDisplayName and Event Viewer's "Level:" are localized ("Fehler").
  std::string level = english_level(get({"LevelDisplayName", "EntryType"}));
  if (level.empty()) {
    const std::string l = get({"Level"});
    const auto n = number(l);
    level = n ? level_name(*n) : english_level(l);
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

// "Event[0]:" (wevtutil; the word may be localized), not a field.
bool event_header(std::string_view t) {
  const std::size_t open = t.find('[');
  if (open == 0 || open == std::string_view::npos || t.back() != ':') return false;
  const std::size_t close = t.find(']', open);
  if (close == std::string_view::npos || close == open + 1) return false;
  for (std::size_t i = open + 1; i < close; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return trim(t.substr(close + 1)) == ":" && t.substr(0, open).find(' ') == std::string_view::npos;
}

// The English label of "Label:" / "Label :" at the start of `t`.
std::string_view label_of(std::string_view t) {
  const std::size_t colon = t.find(':');
  return colon == std::string_view::npos ? std::string_view()
                                         : english_label(trim(t.substr(0, colon)));
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool all_digits(std::string_view t) {
  return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Get-EventLog's default table: "Index Time EntryType Source InstanceID
// Message", then a row per entry: "12345 Nov 26 03:10  Error  <Source>
// <InstanceID> <Message>". The Time column is three words ("Nov 26 03:10");
// the source may hold spaces, so it runs up to the first number after the
// entry type. A source cut to its column ("Microsoft-Windows...", PowerShell
// 7 "…") does not name the provider: it is left empty and said.
bool table_row(std::string_view line, Record& record, Facts& facts) {
  const std::vector<std::string_view> w = words(line);
  if (w.size() < 7 || !all_digits(w[0])) return false;
  std::size_t instance = 5;
  while (instance < w.size() && !all_digits(w[instance])) ++instance;
  if (instance >= w.size() || instance == 5) return false;
  record["Index"] = std::string(w[0]);
  record["TimeGenerated"] = std::string(w[1]) + " " + std::string(w[2]) + " " + std::string(w[3]);
  record["EntryType"] = std::string(w[4]);
  const std::string_view source(
      w[5].data(),
      static_cast<std::size_t>(w[instance - 1].data() + w[instance - 1].size() - w[5].data()));
  const bool cut = source.size() >= 3 &&
                   (source.substr(source.size() - 3) == "..." ||
                    (source.size() >= 3 && source.substr(source.size() - 3) == "\xE2\x80\xA6"));
  if (cut) {
    facts.push_back("the table cut the Source to \"" + std::string(source) +
                    "\": the provider is not known (export with Format-List to keep it)");
  } else {
    record["Source"] = std::string(source);
  }
  record["InstanceId"] = std::string(w[instance]);
  const std::size_t message =
      static_cast<std::size_t>(w[instance].data() + w[instance].size() - line.data());
  record["Message"] = std::string(trim(line.substr(message)));
  return true;
}

// Get-WinEvent's default view: a table under "   ProviderName: <name>" with
// the columns TimeCreated, Id, LevelDisplayName, Message. Each value is cut
// at the columns the dashes under the header mark (PowerShell right-aligns
// numbers within them); a row the width cut short ends in "...".
int winevent_tables(std::string_view text, Reading& r) {
  std::string provider;
  std::string header;
  std::vector<std::pair<std::string, std::size_t>> columns;  // name, start
  int found = 0;
  for (const std::string_view line : split_lines(text)) {
    const std::string_view t = trim(line);
    if (starts_with_icase(t, "ProviderName:")) {
      provider = std::string(trim(t.substr(13)));
      header.clear();
      columns.clear();
      continue;
    }
    if (provider.empty() || t.empty()) continue;
    if (columns.empty()) {
      if (starts_with_icase(t, "TimeCreated")) {
        header = std::string(line);
      } else if (!header.empty() && t.front() == '-') {
        for (std::size_t i = 0; i < line.size(); ++i) {
          if (line[i] == '-' && (i == 0 || line[i - 1] == ' ')) {
            std::size_t end = i;
            while (end < header.size() && header[end] != ' ') ++end;
            columns.emplace_back(i < header.size() ? header.substr(i, end - i) : "", i);
          }
        }
      }
      continue;
    }
    Record row;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::size_t begin = columns[c].second;
      const std::size_t from = c == 0 ? 0 : begin;  // the first column's value may be indented
      const std::size_t to = c + 1 < columns.size() ? columns[c + 1].second : line.size();
      if (from >= line.size()) break;
      row[columns[c].first] = std::string(trim(line.substr(from, to - from)));
    }
    const std::string* id_text = field(row, {"Id"});
    const std::optional<int> id = id_text ? number(*id_text) : std::nullopt;
    if (!id) continue;
    core::ServerEvent ev;
    ev.id = *id;
    ev.source = provider;
    if (const std::string* v = field(row, {"TimeCreated"})) ev.time = *v;
    if (const std::string* v = field(row, {"Message"})) ev.message = *v;
    if (const std::string* v = field(row, {"LevelDisplayName"})) ev.level = english_level(*v);
    add_event(std::move(ev), r);
    ++found;
  }
  return found;
}

// The Format-List, Event Viewer and wevtutil forms, and Get-EventLog's
// table, read line by line: each event's fields gather in one record, which
// is turned into an event when the next one starts.
class EventListReader {
 public:
  explicit EventListReader(Reading& r) : r_(r) {}

  void read(std::string_view line) {
    const std::string_view t = trim(line);
    if (read_table_line(line, t)) return;
    const bool header = event_header(t);
    const std::string_view label = label_of(t);
    if (read_description_line(line, header, label)) return;
    if (header) {
      end_event();
      wevtutil_ = true;
      return;
    }
    if (label == "Event Xml") {
      open_ = nullptr;
      return;
    }
    read_field_line(line, t);
  }

  // The events found, the last one included.
  int finish() {
    end_event();
    return found_;
  }

 private:
  // The record so far becomes an event. open_ pointed into it, so it goes
  // too (a table header after a field once appended to a freed string:
  // tests/fixtures/fuzz/diagnose_event_text).
  void end_event() {
    flush(record_, r_, found_);
    open_ = nullptr;
  }

  // Get-EventLog's default table: its header, the dashes and its rows.
  bool read_table_line(std::string_view line, std::string_view t) {
    if (table_) {
      if (t.empty() || t.front() == '-') return true;  // the dashes under the header
      if (table_row(line, record_, r_.facts)) {
        end_event();
        return true;
      }
      table_ = false;
    }
    if (starts_with_icase(t, "Index") && t.find("EntryType") != std::string_view::npos &&
        contains_icase(t, "InstanceID")) {
      end_event();
      table_ = true;
      return true;
    }
    return false;
  }

  // After "Description:" every line is message, up to the next event.
  bool read_description_line(std::string_view line, bool header, std::string_view label) {
    if (!description_) return false;
    const bool ends = header || label == "Log Name" || label == "Event Xml";
    if (!ends) {
      std::string& m = record_["Description"];
      m += (m.empty() ? "" : "\n") + std::string(line);
      return true;
    }
    description_ = false;
    return false;
  }

  // "Key: value", or a further line of the value above it.
  void read_field_line(std::string_view line, std::string_view t) {
    const bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
    const auto key = (!indented || wevtutil_) ? key_line(line) : std::nullopt;
    if (key) {
      const bool repeats = record_.count(key->key) != 0;
      if (repeats || (key->key == "Log Name" && !wevtutil_)) end_event();
      record_[key->key] = key->value;
      open_ = &record_[key->key];
      open_column_ = key->value_column;
      if (key->key == "Description") description_ = true;
      return;
    }
    // KB articles quote Server 2003 events with the text right after the
    // fields, unlabelled: the first plain line there starts the description.
    if (!indented && !t.empty() && record_.count("Event ID") != 0 &&
        record_.count("Description") == 0) {
      record_["Description"] = std::string(line);
      description_ = true;
      return;
    }
    if (open_ != nullptr && (t.empty() || indented)) {
      std::size_t cut = 0;
      while (cut < line.size() && cut < open_column_ && (line[cut] == ' ' || line[cut] == '\t'))
        ++cut;
      *open_ += "\n" + std::string(line.substr(cut));
    }
  }

  Reading& r_;
  Record record_;
  int found_ = 0;
  std::string* open_ = nullptr;  // the field continuation lines belong to
  std::size_t open_column_ = 0;  // Format-List indents them to the value column
  bool description_ = false;     // after "Description:" every line is message
  bool wevtutil_ = false;        // "Event[N]:" blocks indent their keys
  bool table_ = false;           // Get-EventLog's default table, after its dashes
};

}  // namespace

Reading read_event_text(std::string_view name, std::string_view text) {
  Reading r;
  if (const int tables = winevent_tables(text, r); tables > 0) {
    r.facts.insert(r.facts.begin(), std::to_string(tables) + (tables == 1 ? " event" : " events") +
                                        " in Get-WinEvent's table (no log, host: the view "
                                        "does not show them)");
    return r;
  }
  EventListReader reader(r);
  for (const std::string_view line : split_lines(text)) reader.read(line);
  const int found = reader.finish();
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
