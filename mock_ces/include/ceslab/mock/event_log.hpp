// SPDX-License-Identifier: GPL-2.0-or-later
// The event log of the mock's Windows hosts: what the CA, the CES/CEP host and
// the domain controller would write to their Windows event logs (log name,
// provider, event ID, level, message) when a request fails or succeeds.
//
// EventCatalog holds the event definitions (mock_ces/data/events.yaml,
// compiled in): the exact provider names, IDs, levels and message templates
// with named placeholders ("{request_id}"). EventLog collects the events the
// mock raises, in memory for the runner and, optionally, as a JSON-lines
// file (one object per event, flushed per line).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ceslab/core/data_file_error.hpp"

namespace ceslab::mock {

// One event as a Windows host would log it.
struct Event {
  std::string key;      // catalog key, e.g. "ca_request_denied"
  std::string log;      // log / channel name, e.g. "Application"
  std::string source;   // provider, e.g. "Microsoft-Windows-CertificationAuthority"
  int id = 0;           // event ID, e.g. 53
  std::string level;    // "Error", "Warning", "Information", ...
  std::string message;  // the rendered text
  std::string host;     // the host that logged it: "ca.lab.test", "ces.lab.test"
  std::chrono::system_clock::time_point time;
  std::map<std::string, std::string> fields;  // every placeholder's value (defaults included)

  bool operator==(const Event&) const = default;
};

// One definition of the catalog, as read from events.yaml.
struct EventDefinition {
  std::string key;
  std::string log;
  std::string provider;
  int id = 0;
  std::string level;
  std::string message;                          // template with {placeholders}
  std::vector<std::string> placeholders;        // in order of first use, each once
  std::map<std::string, std::string> defaults;  // placeholder values used when not given
  std::string citation;                         // where the text comes from (YAML "source")
  std::optional<std::string> symbolic;          // Windows symbolic name, when known
  bool model = false;  // text/ID not confirmed by a public source (our best guess)
};

// An event catalog file was not accepted. what() reads
// "<source>:<line>: <problem>" and names the entry (events[i] and its key).
using EventCatalogError = core::DataFileError;

// Immutable after construction; the only shared instance is builtin().
class EventCatalog {
 public:
  // Parses and validates a catalog (schema: the comment at the top of
  // events.yaml): required keys present, unknown keys rejected, keys unique,
  // (provider, id) unique, levels known, placeholders well formed, defaults
  // only for placeholders of the message. Throws EventCatalogError.
  static EventCatalog from_yaml(std::string_view text, std::string_view source_name);

  // The catalog compiled into the library, parsed once on first use.
  static const EventCatalog& builtin();

  // Renders event `key` for `host`, stamped with the current time. `fields`
  // gives the placeholder values; defaults fill the rest. An unknown key, a
  // placeholder without value or a field that is no placeholder of the
  // message throws std::invalid_argument naming them: that is a bug in the
  // caller, never a runtime condition.
  Event make(std::string_view key, std::string host,
             std::map<std::string, std::string> fields) const;

  const EventDefinition* find(std::string_view key) const;
  const EventDefinition* find(std::string_view provider, int id) const;
  // In file order.
  const std::vector<EventDefinition>& definitions() const { return definitions_; }
  std::size_t size() const { return definitions_.size(); }

 private:
  std::vector<EventDefinition> definitions_;
  std::map<std::string, std::size_t, std::less<>> by_key_;
};

// The JSON-lines log could not be opened or written. what() names the file
// and the system's reason.
class EventLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "2024-05-01T12:34:56.789Z": ISO-8601, UTC, milliseconds (truncated).
std::string format_event_time(std::chrono::system_clock::time_point time);

// The JSON object of one line: {"time", "log", "source", "id", "level",
// "host", "key", "message", "fields"} in that order. EventLog writes it
// compact, one per line, with invalid UTF-8 replaced by U+FFFD.
nlohmann::ordered_json event_to_json(const Event& event);
// Reads such an object back (e.g. a line of another process's log). Throws
// std::invalid_argument when a member is missing, has the wrong type or the
// time is not in format_event_time()'s form. The time keeps milliseconds only.
Event event_from_json(const nlohmann::json& json);

// Thread-safe: every member may be called from any thread at any time.
//
// With a file, append() writes the event's JSON line with write(2) on a
// descriptor opened O_APPEND, before the event becomes visible in memory.
// Nothing is buffered in the process (the line is in the kernel when append()
// returns), and another process appending to the same file does not tear it.
// A failed write throws EventLogError and the event is recorded nowhere; the
// log then refuses every later append() as well (the file may hold a partial
// line and would no longer match the in-memory view), so a broken log cannot
// go unnoticed.
class EventLog {
 public:
  // Opens (creating it if needed) `jsonl_file` for appending; existing lines
  // are kept. Throws EventLogError if it cannot be opened.
  explicit EventLog(std::optional<std::filesystem::path> jsonl_file = {});
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  void append(Event event);
  std::vector<Event> events() const;
  // Events from position `index` on (index == size() gives none). An index
  // past the end throws std::out_of_range: a cursor from before clear().
  std::vector<Event> since(std::size_t index) const;
  std::size_t size() const;
  // Forgets the in-memory events; the file keeps its lines (it is the
  // durable record of the whole session).
  void clear();

  const std::optional<std::filesystem::path>& file() const { return path_; }

 private:
  mutable std::mutex mutex_;
  std::vector<Event> events_;
  std::optional<std::filesystem::path> path_;
  int fd_ = -1;
  std::optional<std::string> broken_;  // why writing failed, once it has
};

}  // namespace ceslab::mock
