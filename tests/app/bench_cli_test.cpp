// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab bench --url URL` as a user runs it, against the mock served in
// this process: a healthy lab issues every request and reports ordered
// percentiles; a wrong password or a template alice may not enroll for
// fails every request, grouped under the cause the diagnosis engine names;
// a rate bounds the requests a duration allows; bad options are usage
// errors. No assertion on how fast anything is.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_support.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/request_store.hpp"
#include "ceslab/mock/server.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using ceslab::app::testing::Invocation;
using ceslab::app::testing::read_file;
using ceslab::app::testing::run_split;
using ceslab::app::testing::ServedLab;
using ceslab::core::AuthMode;
using ceslab::core::Service;
using nlohmann::json;

// `ceslab bench` at the lab's UsernamePassword CES as alice with `password`
// in CESLAB_PASSWORD, ECDSA keys (fast to make), the JSON in the lab's
// scratch directory, and the HTML page beside it.
Invocation bench(const ServedLab& lab, const std::string& args,
                 const std::string& password = "alice-password") {
  const std::string url = lab.server.endpoint_url(Service::ces, AuthMode::username);
  return run_split("CESLAB_PASSWORD='" + password + "' " + std::string(CESLAB_BINARY) +
                       " bench --url '" + url + "' --username alice --key ecdsa-p256 --ca-file '" +
                       lab.server.ca_certificate_path().string() + "' --json '" +
                       (lab.dir.path() / "bench.json").string() + "' --html '" +
                       (lab.dir.path() / "bench.html").string() + "' " + args,
                   lab.dir.path());
}

// How many requests the lab's CA entered (its request database).
std::size_t requests_entered(const ServedLab& lab) {
  return ceslab::mock::RequestStore::open(lab.server.state_dir() / ceslab::mock::LabCa::kStoreFile)
      .list()
      .size();
}

json bench_json(const ServedLab& lab) {
  return json::parse(read_file(lab.dir.path() / "bench.json"));
}

TEST(BenchCli, TwentyRequestsAreIssuedWithOrderedPercentiles) {
  const ServedLab lab;
  const Invocation r = bench(lab, "--template User --count 20 --concurrency 4");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Requests: 20 (issued 20, pending 0, failed 0)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Failures by diagnosed cause: none"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" p99 "), std::string::npos) << r.out;

  const json j = bench_json(lab);
  EXPECT_EQ(j["schema"], "ceslab.bench/1");
  EXPECT_EQ(j["stopped_by"], "count");
  EXPECT_EQ(j["counts"]["issued"], 20);
  EXPECT_EQ(j["counts"]["total"], 20);
  EXPECT_EQ(j["plan"]["concurrency"], 4);
  EXPECT_EQ(j["auth"], "username");  // from the URL's _UsernamePassword
  const json& l = j["latency_ms"];
  ASSERT_TRUE(l.is_object()) << j.dump(2);
  EXPECT_EQ(l["count"], 20);
  EXPECT_GT(l["min"].get<double>(), 0.0);
  EXPECT_LE(l["min"].get<double>(), l["p50"].get<double>());
  EXPECT_LE(l["p50"].get<double>(), l["p90"].get<double>());
  EXPECT_LE(l["p90"].get<double>(), l["p99"].get<double>());
  EXPECT_LE(l["p99"].get<double>(), l["max"].get<double>());
  EXPECT_GT(j["throughput"]["issued_per_s"].get<double>(), 0.0);
  EXPECT_TRUE(j["failures_by_cause"].empty());
  // The CA entered exactly those requests: the bench sent nothing else.
  EXPECT_EQ(requests_entered(lab), 20u);

  // The page: both charts, and the 20 requests among the histogram's bars.
  const std::string html = read_file(lab.dir.path() / "bench.html");
  EXPECT_NE(html.find("<svg"), html.rfind("<svg"));
  EXPECT_NE(html.find("Latency histogram"), std::string::npos);
  EXPECT_NE(html.find("Throughput over time"), std::string::npos);
  EXPECT_NE(html.find("<b>20</b>requests"), std::string::npos);
}

TEST(BenchCli, AWrongPasswordIsGroupedUnderTheEnginesVerdictAndCandidate) {
  // From the client's side InvalidSecurity does not tell a wrong password
  // from a clock skew (scenarios/causes/username_password_rejected.yaml,
  // client_only: unknown): the group says so and names the candidate.
  const ServedLab lab;
  const Invocation r = bench(lab, "--template User --count 5 --concurrency 2", "wrong-password");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("failed 5)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unknown (username_password_rejected"), std::string::npos) << r.out;
  const json j = bench_json(lab);
  ASSERT_EQ(j["failures_by_cause"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["failures_by_cause"][0]["cause"], "unknown");
  EXPECT_EQ(j["failures_by_cause"][0]["tied"][0], "username_password_rejected");
  EXPECT_EQ(j["failures_by_cause"][0]["count"], 5);
  EXPECT_FALSE(j["failures_by_cause"][0]["example"].get<std::string>().empty());
}

TEST(BenchCli, ATemplateAliceMayNotEnrollForIsGroupedUnderTemplateEnrollDenied) {
  // Domain Users may read the User template but not enroll
  // (scenarios/causes/template_enroll_denied.yaml).
  const ServedLab lab(
      "  templates:\n"
      "    - name: User\n"
      "      acl:\n"
      "        - { principal: Domain Users, allow: [read] }\n");
  const Invocation r = bench(lab, "--template User --count 4 --concurrency 2");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json j = bench_json(lab);
  EXPECT_EQ(j["counts"]["failed"], 4);
  ASSERT_EQ(j["failures_by_cause"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["failures_by_cause"][0]["cause"], "template_enroll_denied");
  EXPECT_TRUE(j["failures_by_cause"][0]["tied"].empty());
  EXPECT_NE(
      j["failures_by_cause"][0]["example"].get<std::string>().find("CERTSRV_E_TEMPLATE_DENIED"),
      std::string::npos)
      << j.dump(2);
}

TEST(BenchCli, ARateBoundsTheRequestsOfADuration) {
  // At 10/s for 300 ms the bucket lets at most 1 + 10 * 0.3 = 4 start,
  // however fast the machine; the run stops by itself at the duration.
  const ServedLab lab;
  const Invocation r = bench(lab, "--template User --rate 10 --duration 300ms --concurrency 4");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json j = bench_json(lab);
  EXPECT_EQ(j["stopped_by"], "duration");
  EXPECT_GE(j["counts"]["total"].get<int>(), 1);
  EXPECT_LE(j["counts"]["total"].get<int>(), 4);
  EXPECT_DOUBLE_EQ(j["plan"]["duration_s"].get<double>(), 0.3);
}

TEST(BenchCli, ASignalStopsItEarlyWithTheSummaryAndTheJson) {
  // A run of 30 s, stopped with SIGTERM (Ctrl-C's path: SIGINT is
  // ignored by a background job of a non-interactive shell) once it says it
  // runs; the shell's wait is bounded.
  const ServedLab lab;
  const std::string url = lab.server.endpoint_url(Service::ces, AuthMode::username);
  const fs::path out = lab.dir.path() / "bench.out";
  const fs::path script = lab.dir.path() / "stop.sh";
  std::ofstream(script) << "CESLAB_PASSWORD=alice-password " << CESLAB_BINARY << " bench --url '"
                        << url << "' --username alice --key ecdsa-p256 --ca-file '"
                        << lab.server.ca_certificate_path().string()
                        << "' --template User --duration 30s --json '"
                        << (lab.dir.path() / "bench.json").string() << "' >'" << out.string()
                        << "' &\n"
                        << "pid=$!; n=0\n"
                        << "until grep -q '^Running' '" << out.string()
                        << "' || [ $n -ge 600 ]; do sleep 0.05; n=$((n+1)); done\n"
                        << "kill -TERM $pid; wait $pid; echo \"exit=$?\"\n";
  const Invocation r = run_split("sh '" + script.string() + "'", lab.dir.path());
  EXPECT_NE(r.out.find("exit=143"), std::string::npos) << r.out << r.err;  // 128 + SIGTERM
  const std::string printed = read_file(out);
  EXPECT_NE(printed.find("Stopped: interrupted"), std::string::npos) << printed << r.err;
  EXPECT_NE(printed.find("Requests: "), std::string::npos) << printed;
  const json j = bench_json(lab);
  EXPECT_EQ(j["stopped_by"], "interrupted");
  EXPECT_EQ(j["counts"]["total"].get<std::size_t>(), requests_entered(lab));
}

TEST(BenchCli, BadOptionsAreUsageErrors) {
  const ServedLab lab;
  for (const char* args : {"--template User --count 1 --concurrency 0", "--template User --rate -1",
                           "--template User --count 0", "--template User --duration 0",
                           "--template User --duration 5h", "--count 1"}) {
    const Invocation r = bench(lab, args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out << r.err;
  }
  const Invocation http =
      run_split(std::string(CESLAB_BINARY) +
                    " bench --url http://127.0.0.1:1/X_CES_UsernamePassword/service.svc/CES "
                    "--template User --username alice --count 1",
                lab.dir.path());
  EXPECT_EQ(http.exit_code, 2) << http.err;
  EXPECT_NE(http.err.find("--url"), std::string::npos) << http.err;
  EXPECT_EQ(requests_entered(lab), 0u);
}

}  // namespace
