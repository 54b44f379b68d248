// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/event_log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <thread>

#include "ceslab/core/codes.hpp"
#include "error_message.hpp"
#include "temp_dir.hpp"

namespace ceslab::mock {
namespace {

using namespace std::chrono;

std::string catalog_error(std::string_view yaml) {
  return test_support::error_message<EventCatalogError>(
      [&] { EventCatalog::from_yaml(yaml, "ev.yaml"); });
}

std::string make_error(std::string_view key, std::map<std::string, std::string> fields) {
  return test_support::error_message<std::invalid_argument>(
      [&] { EventCatalog::builtin().make(key, "ca.lab.test", std::move(fields)); });
}

using test_support::TempDir;

std::vector<std::string> read_lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

Event sample(int n, std::string host = "ca.lab.test") {
  Event e = EventCatalog::builtin().make(
      "ca_request_denied", std::move(host),
      {{"request_id", std::to_string(n)},
       {"message",
        "The EMail name is unavailable and cannot be added to the Subject or Subject "
        "Alternate name."},
       {"code", core::format_code(0x80094812)},
       {"requester", "LAB\\alice"}});
  e.time = floor<milliseconds>(e.time);  // the JSON form keeps milliseconds
  return e;
}

// --- EventCatalog ----------------------------------------------------------

TEST(EventCatalog, BuiltinHasTheDocumentedEvents) {
  struct Want {
    const char* key;
    const char* log;
    const char* provider;
    int id;
    const char* level;
    bool model;
  };
  const char* ca = "Microsoft-Windows-CertificationAuthority";
  const char* ces = "Microsoft-Windows-EnrollmentWebService";
  const char* cep = "Microsoft-Windows-EnrollmentPolicyWebService";
  const char* ces_log = "Microsoft-Windows-EnrollmentWebService/Admin";
  const char* cep_log = "Microsoft-Windows-EnrollmentPolicyWebService/Admin";
  const Want wants[] = {
      {"ca_certificate_issued", "Application", ca, 6, "Information", false},
      {"ca_request_pending", "Application", ca, 8, "Information", false},
      {"ca_request_failed", "Application", ca, 21, "Error", false},
      {"ca_request_failed_with_info", "Application", ca, 22, "Error", false},
      {"ca_request_denied", "Application", ca, 53, "Warning", false},
      {"ces_started", ces_log, ces, 1, "Information", false},
      {"ces_renewal_only_new_request", ces_log, ces, 6, "Error", true},
      {"ces_ca_renewal_only_unsupported", ces_log, ces, 7, "Error", true},
      {"ces_cannot_read_ca_config", ces_log, ces, 8, "Error", true},
      {"ces_ca_renew_on_behalf_of_disabled", ces_log, ces, 9, "Error", true},
      {"ces_kbr_incompatible_config", ces_log, ces, 10, "Error", true},
      {"cep_started", cep_log, cep, 1, "Information", false},
      {"cep_template_unreadable", cep_log, cep, 13, "Warning", true},
      {"cep_no_policies", cep_log, cep, 14, "Warning", true},
      {"cep_ces_uri_invalid", cep_log, cep, 15, "Warning", true},
      {"cep_kbr_incompatible_config", cep_log, cep, 19, "Error", true},
      {"logon_failed", "Security", "Microsoft-Windows-Security-Auditing", 4625, "Information",
       false},
      {"kdc_duplicate_name", "System", "Microsoft-Windows-Kerberos-Key-Distribution-Center", 11,
       "Error", false},
  };
  const EventCatalog& catalog = EventCatalog::builtin();
  for (const Want& w : wants) {
    SCOPED_TRACE(w.key);
    const EventDefinition* def = catalog.find(w.key);
    ASSERT_NE(def, nullptr);
    EXPECT_EQ(def->log, w.log);
    EXPECT_EQ(def->provider, w.provider);
    EXPECT_EQ(def->id, w.id);
    EXPECT_EQ(def->level, w.level);
    EXPECT_EQ(def->model, w.model);
    EXPECT_FALSE(def->citation.empty());
    // Provider names compare case-insensitively, as on Windows.
    EXPECT_EQ(catalog.find(w.provider, w.id), def);
  }
  EXPECT_EQ(catalog.find(ca, 9999), nullptr);
  EXPECT_EQ(catalog.find("no_such_event"), nullptr);
  EXPECT_EQ(catalog.find("microsoft-windows-certificationauthority", 53),
            catalog.find("ca_request_denied"));
  EXPECT_EQ(catalog.find("ca_request_denied")->symbolic, "MSG_DN_CERT_DENIED_WITH_INFO");
}

TEST(EventCatalog, MakeRendersTheCaDenialAsWindowsPrintsIt) {
  const auto before = system_clock::now();
  const core::ErrorCode* code = core::CodeTable::builtin().find(0x80094811);
  ASSERT_NE(code, nullptr);
  const Event e = EventCatalog::builtin().make("ca_request_denied", "ca.lab.test",
                                               {{"request_id", "146"},
                                                {"message", code->message},
                                                {"code", core::format_code(code->value)},
                                                {"requester", "CN=TestNDESCert"}});
  const auto after = system_clock::now();
  // gradenegger's real example of event 53 (single-spaced).
  EXPECT_EQ(e.message,
            "Active Directory Certificate Services denied request 146 because The public key does "
            "not meet the minimum size required by the specified certificate template. 0x80094811 "
            "(-2146875375 CERTSRV_E_KEY_LENGTH). The request was for CN=TestNDESCert. Additional "
            "information: Denied by Policy Module");
  EXPECT_EQ(e.key, "ca_request_denied");
  EXPECT_EQ(e.log, "Application");
  EXPECT_EQ(e.source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(e.id, 53);
  EXPECT_EQ(e.level, "Warning");
  EXPECT_EQ(e.host, "ca.lab.test");
  EXPECT_GE(e.time, before);
  EXPECT_LE(e.time, after);
  // The default is recorded as a field like the given values.
  EXPECT_EQ(e.fields.size(), 5u);
  EXPECT_EQ(e.fields.at("additional"), "Denied by Policy Module");
  EXPECT_EQ(e.fields.at("request_id"), "146");
}

TEST(EventCatalog, DefaultsCanBeOverriddenAndPlaceholdersRepeat) {
  const EventCatalog& catalog = EventCatalog::builtin();
  const Event parse = catalog.make("ca_request_failed_with_info", "ca.lab.test",
                                   {{"request_id", "7"},
                                    {"message", "The request subject name is invalid or too long."},
                                    {"code", core::format_code(0x80094001)},
                                    {"requester", "LAB\\bob"}});
  EXPECT_NE(parse.message.find("Additional information: Error Parsing Request"), std::string::npos)
      << parse.message;
  const Event kra = catalog.make("ca_request_failed_with_info", "ca.lab.test",
                                 {{"request_id", "8"},
                                  {"message", "m"},
                                  {"code", "c"},
                                  {"requester", "r"},
                                  {"additional", "Error Archiving Private Key"}});
  EXPECT_TRUE(kra.message.ends_with("Additional information: Error Archiving Private Key"));

  const Event kdc =
      catalog.make("kdc_duplicate_name", "dc.lab.test", {{"name", "HTTP/ces.lab.test"}});
  EXPECT_EQ(kdc.message,
            "The KDC encountered duplicate names while processing a Kerberos authentication "
            "request. The duplicate name is HTTP/ces.lab.test (of type DS_SERVICE_PRINCIPAL_NAME). "
            "This may result in authentication failures or downgrades to NTLM. In order to prevent "
            "this from occuring remove the duplicate entries for HTTP/ces.lab.test in Active "
            "Directory.");

  const Event logon =
      catalog.make("logon_failed", "ces.lab.test", {{"account", "alice"}, {"domain", "LAB"}});
  EXPECT_TRUE(logon.message.starts_with("An account failed to log on.\n\nSubject:\n"));
  EXPECT_NE(logon.message.find("Account For Which Logon Failed:\n\tSecurity ID:\t\tS-1-0-0\n"
                               "\tAccount Name:\t\talice\n\tAccount Domain:\t\tLAB\n"),
            std::string::npos)
      << logon.message;
  EXPECT_NE(logon.message.find("\tSub Status:\t\t0xC000006A\n"), std::string::npos);
}

TEST(EventCatalog, ValuesAreInsertedVerbatim) {
  const Event e =
      EventCatalog::builtin().make("ca_request_pending", "ca.lab.test",
                                   {{"request_id", "{requester}"}, {"requester", "CN={x}}"}});
  EXPECT_EQ(e.message,
            "Active Directory Certificate Services left request {requester} pending in the queue "
            "for CN={x}}.");
}

TEST(EventCatalog, MakeRefusesUnknownKeysMissingAndStrayFields) {
  EXPECT_NE(make_error("ca_reqest_denied", {}).find("unknown event key 'ca_reqest_denied'"),
            std::string::npos);
  const std::string missing = make_error("ca_request_denied", {{"message", "m"}, {"code", "c"}});
  EXPECT_NE(missing.find("'ca_request_denied'"), std::string::npos) << missing;
  EXPECT_NE(missing.find("'request_id', 'requester'"), std::string::npos) << missing;
  const std::string stray = make_error(
      "ca_request_pending", {{"request_id", "1"}, {"requester", "r"}, {"requestid", "1"}});
  EXPECT_NE(stray.find("'requestid' not a placeholder"), std::string::npos) << stray;
  EXPECT_NE(stray.find("(placeholders: 'request_id', 'requester')"), std::string::npos) << stray;
}

TEST(EventCatalog, LoadsAMinimalFileAndRendersLiteralBraces) {
  const EventCatalog c = EventCatalog::from_yaml(
      "events:\n"
      "  - key: x_happened\n"
      "    log: Application\n"
      "    provider: P\n"
      "    id: 7\n"
      "    level: Information\n"
      "    message: \"{{literal}} {a} and {b}}}\"\n"
      "    defaults: {b: B}\n"
      "    source: here\n"
      "    model: true\n",
      "ev.yaml");
  ASSERT_EQ(c.size(), 1u);
  const EventDefinition& d = c.definitions().front();
  EXPECT_EQ(d.placeholders, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(d.model);
  EXPECT_EQ(c.make("x_happened", "h", {{"a", "A"}}).message, "{literal} A and B}");
}

TEST(EventCatalog, MalformedFilesAreNamedWithFileAndLine) {
  const std::string head = "events:\n  - key: e1\n    log: Application\n    provider: P\n";
  const std::string tail = "    level: Error\n    message: m {x}\n    source: s\n";
  struct Case {
    std::string yaml;
    std::string expect;
  };
  const Case cases[] = {
      {head + "    id: 1\n    levle: Error\n    message: m\n    source: s\n",
       "ev.yaml:6: events[0] (e1): unknown key 'levle'"},
      {head + "    id: \"1\"\n" + tail, "ev.yaml:5: events[0] (e1): id '1' must be an unquoted"},
      {head + "    id: 70000\n" + tail, "id '70000' must be an unquoted integer 0..65535"},
      {head + "    id: 1\n    level: Fatal\n    message: m\n    source: s\n",
       "ev.yaml:6: events[0] (e1): level 'Fatal' is not one of"},
      {head + "    id: 1\n    level: Error\n    message: m {Request}\n    source: s\n",
       "ev.yaml:7: events[0] (e1): message: placeholder '{Request}' at offset 2 is not a name"},
      {head + "    id: 1\n    level: Error\n    message: m {x\n    source: s\n",
       "message: '{' at offset 2 is never closed"},
      {head + "    id: 1\n    level: Error\n    message: m x}\n    source: s\n",
       "message: '}' at offset 3 closes no placeholder"},
      {head + "    id: 1\n    level: Error\n    message: m {}\n    source: s\n",
       "placeholder '{}' at offset 2 is not a name"},
      {head + "    id: 1\n" + tail + "    defaults: {y: Y}\n",
       "ev.yaml:9: events[0] (e1): defaults: 'y' is not a placeholder of the message "
       "(placeholders: 'x')"},
      {head + "    id: 1\n    level: Error\n    message: m\n",
       "ev.yaml:2: events[0] (e1): missing required key 'source'"},
      {head + "    id: 1\n" + tail + "    model: yes\n",
       "model must be an unquoted true or false, got 'yes'"},
      {head + "    id: 1\n" + tail + "    log: System\n",
       "ev.yaml:9: events[0] (e1): duplicate key 'log'"},
      {"events:\n  - key: Bad-Key\n    log: A\n    provider: P\n    id: 1\n" + tail,
       "ev.yaml:2: events[0] (Bad-Key): key 'Bad-Key' is not snake_case"},
      {head + "    id: 1\n" + tail + "  - key: e1\n    log: A\n    provider: Q\n    id: 2\n" + tail,
       "ev.yaml:9: events[1] (e1): key 'e1' already used by events[0] (line 2)"},
      {head + "    id: 1\n" + tail + "  - key: e2\n    log: A\n    provider: p\n    id: 1\n" + tail,
       "ev.yaml:9: events[1] (e2): event ID 1 of p already defined by events[0] (e1, line 2)"},
      {"", "ev.yaml:1: empty document"},
      {"codes: []\n", "ev.yaml:1: unknown top-level key 'codes'"},
      {"events: {}\n", "'events' must be a list"},
      {"events:\n  - key: [\n", "ev.yaml:"},
  };
  for (const Case& c : cases) {
    const std::string e = catalog_error(c.yaml);
    EXPECT_NE(e.find(c.expect), std::string::npos) << "got: " << e << "\nfor:\n" << c.yaml;
  }
}

// --- EventLog --------------------------------------------------------------

TEST(EventLog, KeepsEventsInMemoryWithoutAFile) {
  EventLog log;
  EXPECT_FALSE(log.file().has_value());
  EXPECT_EQ(log.size(), 0u);
  const Event a = sample(1), b = sample(2, "ces.lab.test");
  log.append(a);
  log.append(b);
  EXPECT_EQ(log.size(), 2u);
  EXPECT_EQ(log.events(), (std::vector<Event>{a, b}));
}

TEST(EventLog, WritesOneParseableLinePerEventWithEveryField) {
  TempDir dir;
  const auto path = dir.path() / "events.jsonl";
  EventLog log(path);
  const Event a = sample(1);
  Event b = EventCatalog::builtin().make("kdc_duplicate_name", "dc.lab.test",
                                         {{"name", "HTTP/ces.lab.test"}});
  b.time = sys_days{2024y / 5 / 1} + 12h + 34min + 56s + 789ms;
  log.append(a);
  log.append(b);

  const std::vector<std::string> lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2u);
  const auto j = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(j.at("time"), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(j.at("log"), "System");
  EXPECT_EQ(j.at("source"), "Microsoft-Windows-Kerberos-Key-Distribution-Center");
  EXPECT_EQ(j.at("id"), 11);
  EXPECT_EQ(j.at("level"), "Error");
  EXPECT_EQ(j.at("host"), "dc.lab.test");
  EXPECT_EQ(j.at("key"), "kdc_duplicate_name");
  EXPECT_EQ(j.at("message"), b.message);
  EXPECT_EQ(j.at("fields").at("name"), "HTTP/ces.lab.test");
  EXPECT_EQ(j.at("fields").at("name_type"), "DS_SERVICE_PRINCIPAL_NAME");
  EXPECT_EQ(j.size(), 9u);
  EXPECT_TRUE(lines[0].starts_with("{\"time\":")) << lines[0];  // members in documented order

  // The file and the in-process view agree.
  const std::vector<Event> mem = log.events();
  ASSERT_EQ(mem.size(), 2u);
  EXPECT_EQ(event_from_json(nlohmann::json::parse(lines[0])), mem[0]);
  EXPECT_EQ(event_from_json(nlohmann::json::parse(lines[1])), mem[1]);
}

TEST(EventLog, AppendsToAnExistingFile) {
  TempDir dir;
  const auto path = dir.path() / "events.jsonl";
  {
    EventLog first(path);
    first.append(sample(1));
  }
  EventLog second(path);
  EXPECT_EQ(second.size(), 0u);  // memory starts empty, the file keeps its history
  second.append(sample(2));
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[0]).at("fields").at("request_id"), "1");
  EXPECT_EQ(nlohmann::json::parse(lines[1]).at("fields").at("request_id"), "2");
}

TEST(EventLog, ConcurrentAppendsFromEightThreadsAllLand) {
  TempDir dir;
  const auto path = dir.path() / "events.jsonl";
  EventLog log(path);
  constexpr int kThreads = 8, kPerThread = 125;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < kPerThread; ++i)
          log.append(sample(t * kPerThread + i, "host" + std::to_string(t)));
      });
    }
  }
  EXPECT_EQ(log.size(), static_cast<std::size_t>(kThreads * kPerThread));
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::set<std::string> ids;
  const std::vector<Event> mem = log.events();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Event e = event_from_json(nlohmann::json::parse(lines[i]));  // no torn lines
    EXPECT_EQ(e, mem[i]);  // same order in the file and in memory
    ids.insert(e.fields.at("request_id"));
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(EventLog, SinceReturnsTheTailAndRefusesAStaleCursor) {
  TempDir dir;
  const auto path = dir.path() / "events.jsonl";
  EventLog log(path);
  for (int i = 0; i < 5; ++i) log.append(sample(i));
  EXPECT_EQ(log.since(0), log.events());
  const std::vector<Event> tail = log.since(3);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].fields.at("request_id"), "3");
  EXPECT_EQ(tail[1].fields.at("request_id"), "4");
  EXPECT_TRUE(log.since(5).empty());
  EXPECT_THROW(log.since(6), std::out_of_range);

  log.clear();
  EXPECT_EQ(log.size(), 0u);
  EXPECT_THROW(log.since(5), std::out_of_range);
  log.append(sample(9));
  EXPECT_EQ(log.since(0).at(0).fields.at("request_id"), "9");
  EXPECT_EQ(read_lines(path).size(), 6u);  // clear() leaves the file alone
}

TEST(EventLog, WriteFailureIsReportedAndSticks) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  EventLog log(std::filesystem::path("/dev/full"));
  const std::string first = test_support::error_message<EventLogError>(
      [&] { log.append(sample(1)); }, "append to /dev/full succeeded");
  EXPECT_NE(first.find("/dev/full: write failed: No space left on device"), std::string::npos)
      << first;
  EXPECT_EQ(log.size(), 0u);  // not recorded in memory either
  const std::string second = test_support::error_message<EventLogError>(
      [&] { log.append(sample(2)); }, "second append succeeded");
  EXPECT_NE(second.find("not writable since an earlier failure"), std::string::npos) << second;
}

TEST(EventLog, OpenFailureNamesTheFile) {
  TempDir dir;
  const auto path = dir.path() / "missing-dir" / "events.jsonl";
  const std::string refused = test_support::error_message<EventLogError>(
      [&] { EventLog log(path); }, "opened " + path.string());
  EXPECT_NE(refused.find(path.string() + ": cannot open for appending: No such file"),
            std::string::npos)
      << refused;
}

TEST(EventLog, InvalidUtf8IsReplacedNotThrown) {
  TempDir dir;
  const auto path = dir.path() / "events.jsonl";
  EventLog log(path);
  Event e = sample(1);
  e.fields["requester"] = "CN=\xff\xfe";
  log.append(e);
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0]).at("fields").at("requester"),
            "CN=\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(EventLog, TimeFormatIsUtcWithMilliseconds) {
  EXPECT_EQ(format_event_time(sys_days{2024y / 5 / 1} + 12h + 34min + 56s + 789ms + 999us),
            "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(format_event_time(sys_days{1970y / 1 / 1} - 1ms), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_event_time(sys_days{2000y / 2 / 29}), "2000-02-29T00:00:00.000Z");
}

TEST(EventLog, EventFromJsonRejectsMalformedLines) {
  const nlohmann::json good = nlohmann::json::parse(event_to_json(sample(1)).dump());
  EXPECT_NO_THROW(event_from_json(good));
  const auto error_of = [](const nlohmann::json& j) {
    try {
      event_from_json(j);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  nlohmann::json j = good;
  j.erase("host");
  EXPECT_NE(error_of(j).find("missing 'host'"), std::string::npos);
  j = good;
  j["id"] = "53";
  EXPECT_NE(error_of(j).find("'id' is not an integer"), std::string::npos);
  for (const char* bad :
       {"2024-05-01 12:34:56.789Z", "2024-02-30T00:00:00.000Z", "2024-05-01T24:00:00.000Z",
        "2024-05-01T12:34:56Z", "+024-05-01T12:34:56.789Z"}) {
    j = good;
    j["time"] = bad;
    EXPECT_NE(error_of(j).find("is not YYYY-MM-DDTHH:MM:SS.mmmZ"), std::string::npos) << bad;
  }
  j = good;
  j["fields"]["request_id"] = 1;
  EXPECT_NE(error_of(j).find("fields['request_id'] is not a string"), std::string::npos);
  EXPECT_NE(error_of(nlohmann::json::array()).find("not an object"), std::string::npos);
}

}  // namespace
}  // namespace ceslab::mock
