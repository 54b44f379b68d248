// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab bench --url URL`: a load generator for one CES (a real one or
// `ceslab serve`). The load itself is ceslab_load's (load/); this file holds
// the options and what is printed and written.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "ceslab/core/endpoint_names.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/load/enrollment_attempt.hpp"
#include "ceslab/load/load_report_json.hpp"
#include "ceslab/load/load_run.hpp"
#include "ceslab/report/html_pages.hpp"
#include "client_options.hpp"
#include "commands.hpp"
#include "interruptible.hpp"

namespace ceslab::app {
namespace {

struct BenchArgs {
  ClientOptions client;
  std::string url, template_name, key = "rsa2048", json, html;
  unsigned concurrency = 4;
  double rate = 0;
  std::optional<double> duration_s;
  std::optional<std::uint64_t> count;
  std::optional<std::size_t> key_pool;
  bool pkcs10 = false;
  bool quiet = false;
};

constexpr double kDefaultDurationS = 10;

std::string ms(load::Duration d) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << std::chrono::duration<double, std::milli>(d).count();
  return out.str();
}

std::string fixed(double value, int precision) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(precision) << value;
  return out.str();
}

// The URL must be one https URL: the bench sends to it and nowhere else.
core::Url checked_url(const std::string& text) {
  core::Url url;
  try {
    url = core::parse_url(text);
  } catch (const std::invalid_argument& e) {
    throw CLI::ValidationError("--url", e.what());
  }
  if (url.scheme != "https") throw CLI::ValidationError("--url", "must be an https:// URL");
  return url;
}

// Without --auth, the mode the URL's IIS application names
// (<CA>_CES_Kerberos -> kerberos), as Windows picks the mode from the URI.
void auth_from_url(const CLI::App& cmd, const core::Url& url, ClientOptions& client) {
  if (cmd.count("--auth") > 0) return;
  const core::EndpointNameResult name = core::read_endpoint_path(url.target);
  if (!name.name) return;
  switch (name.name->mode) {
    case core::AuthMode::username:
    case core::AuthMode::certificate:
    case core::AuthMode::kerberos:
      client.auth = std::string(core::cli_name(name.name->mode));
      break;
    case core::AuthMode::anonymous:
      break;
  }
}

load::LoadPlan plan_of(const BenchArgs& a) {
  load::LoadPlan plan;
  plan.concurrency = a.concurrency;
  plan.rate = a.rate;
  plan.count = a.count;
  if (a.duration_s || !a.count) {
    plan.duration = std::chrono::duration_cast<load::Duration>(
        std::chrono::duration<double>(a.duration_s.value_or(kDefaultDurationS)));
  }
  return plan;
}

std::string plan_text(const load::LoadPlan& plan) {
  std::string text = "concurrency " + std::to_string(plan.concurrency) + ", rate " +
                     (plan.rate > 0 ? fixed(plan.rate, 1) + "/s" : std::string("unlimited")) +
                     ", until ";
  if (plan.count) text += std::to_string(*plan.count) + " requests";
  if (plan.count && plan.duration) text += " or ";
  if (plan.duration) text += fixed(std::chrono::duration<double>(*plan.duration).count(), 1) + " s";
  return text;
}

// One line a second on stderr while the run goes.
void print_progress(const load::LoadProgress& p) {
  const double seconds = std::chrono::duration<double>(p.elapsed).count();
  const double rate = seconds > 0 ? static_cast<double>(p.counts.total()) / seconds : 0;
  std::cerr << "  " << fixed(seconds, 1) << " s: " << p.counts.issued << " issued, "
            << p.counts.pending << " pending, " << p.counts.failed << " failed, " << fixed(rate, 1)
            << "/s" << (p.p50 ? ", p50 " + ms(*p.p50) + " ms" : std::string()) << "\n";
}

void print_report(std::ostream& out, const load::LoadReport& r) {
  out << "Stopped: "
      << (r.stopped_by == load::StopReason::count      ? "count reached"
          : r.stopped_by == load::StopReason::duration ? "duration reached"
                                                       : "interrupted")
      << " after " << fixed(std::chrono::duration<double>(r.elapsed).count(), 2) << " s\n";
  out << "Requests: " << r.counts.total() << " (issued " << r.counts.issued << ", pending "
      << r.counts.pending << ", failed " << r.counts.failed << ")\n";
  out << "Throughput: " << fixed(r.attempts_per_second(), 1) << " requests/s (issued "
      << fixed(r.issued_per_second(), 1) << "/s)\n";
  if (r.latency) {
    out << "Latency (ms, all " << r.latency->count << " requests): min " << ms(r.latency->min)
        << "  mean " << ms(r.latency->mean) << "  p50 " << ms(r.latency->p50) << "  p90 "
        << ms(r.latency->p90) << "  p99 " << ms(r.latency->p99) << "  max " << ms(r.latency->max)
        << "\n";
  }
  if (r.causes.empty()) {
    out << "Failures by diagnosed cause: none\n";
    return;
  }
  out << "Failures by diagnosed cause (the diagnosis engine on each failure's client evidence):\n";
  for (const load::CauseCount& c : r.causes) {
    std::string candidates;
    for (const std::string& t : c.tied) candidates += (candidates.empty() ? "" : " or ") + t;
    out << "  " << std::setw(6) << c.count << "  " << c.cause
        << (candidates.empty() ? "" : " (" + candidates + "?)") << ": " << c.title << "\n"
        << "          e.g. " << c.example << "\n";
  }
}

void write_json(const std::string& path, const nlohmann::json& j) {
  std::ofstream out(path, std::ios::binary);
  out << j.dump(2) << "\n";
  if (!out) throw std::runtime_error(path + ": cannot be written");
}

int exit_code_of(const load::LoadReport& r, const std::optional<int>& interrupted) {
  if (interrupted) return 128 + *interrupted;
  if (r.counts.failed > 0 || r.counts.total() == 0) return kFailed;
  if (r.counts.pending > 0) return kPending;
  return kOk;
}

int run_bench(const CLI::App& cmd, BenchArgs a) {
  const core::Url url = checked_url(a.url);
  auth_from_url(cmd, url, a.client);
  const load::LoadPlan plan = plan_of(a);
  try {
    load::validate(plan);
  } catch (const std::invalid_argument& e) {
    throw CLI::ValidationError("bench", e.what());
  }
  const std::unique_ptr<client::Authenticator> auth = make_authenticator(a.client);

  load::EnrollmentTarget target;
  target.url = a.url;
  target.template_name = a.template_name;
  target.wrapping = a.pkcs10 ? client::RequestWrapping::pkcs10 : client::RequestWrapping::cmc;
  target.auth = auth.get();
  target.tls = tls_settings(a.client);

  const core::KeySpec spec = core::KeySpec::parse(a.key);
  const std::size_t pool_size = a.key_pool.value_or(a.concurrency);
  std::cout << "Bench of " << a.url << "\n"
            << "  template " << a.template_name << ", auth " << a.client.auth << ", "
            << plan_text(plan) << "\n"
            << std::flush;
  const auto keys_start = std::chrono::steady_clock::now();
  const load::KeyPool keys(spec, pool_size);
  std::cout
      << "  keys: " << pool_size << " " << spec.name() << " made before the clock started ("
      << fixed(std::chrono::duration<double>(std::chrono::steady_clock::now() - keys_start).count(),
               2)
      << " s); each request builds and signs its PKCS#10" << (a.pkcs10 ? "" : " and CMC")
      << " in the measured time\n"
      << std::flush;

  load::ProgressHook progress;
  if (!a.quiet && isatty(STDERR_FILENO)) progress.report = print_progress;
  const load::Attempt attempt = load::enrollment_attempt(target, keys);
  load::SteadyLoadClock clock;
  load::LoadReport report;
  const std::optional<int> interrupted = run_interruptible([&](std::stop_token stop) {
    // Said once the stop signals are taken: from here on one ends the run
    // with its summary instead of killing the process.
    std::cout << "Running: SIGINT (Ctrl-C) or SIGTERM stops it early with the summary\n"
              << std::flush;
    report = load::run_load(plan, attempt, clock, stop, progress);
  });

  print_report(std::cout, report);
  if (!a.json.empty()) {
    nlohmann::json j = load::report_json(report);
    j["url"] = a.url;
    j["template"] = a.template_name;
    j["auth"] = a.client.auth;
    j["keys"] = {
        {"type", spec.name()}, {"pool", pool_size}, {"request", a.pkcs10 ? "pkcs10" : "cmc"}};
    write_json(a.json, j);
  }
  if (!a.html.empty()) {
    report::write_page(a.html, report::bench_page(report, {a.url, a.template_name, a.client.auth}));
  }
  return exit_code_of(report, interrupted);
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "bench",
      "Load-test one CES endpoint (a real one or ceslab serve): many enrollments, then "
      "throughput, latency percentiles and failures by diagnosed cause");
  auto a = std::make_shared<BenchArgs>();
  cmd->add_option("--url", a->url,
                  "CES endpoint URL (https://host/<CA>_CES_<mode>/service.svc/CES); the only "
                  "address contacted")
      ->required();
  cmd->add_option("--template", a->template_name, "Certificate template name or OID")->required();
  cmd->add_option("--concurrency", a->concurrency,
                  "Requests in flight at once (workers; each request on its own TLS connection)")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  cmd->add_option("--rate", a->rate, "Requests started per second at most (0: unlimited)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  cmd->add_option("--duration", a->duration_s,
                  "Stop starting requests after this long (10s, 500ms, 2m; a bare number is "
                  "seconds). Default 10s when --count is not given")
      ->transform(CLI::AsNumberWithUnit(
          std::map<std::string, double>{{"ms", 0.001}, {"s", 1.0}, {"m", 60.0}},
          CLI::AsNumberWithUnit::CASE_SENSITIVE, "DURATION"))
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--count", a->count, "Stop after this many requests")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
  cmd->add_option("--key", a->key,
                  "Key type of the requests: rsa2048, rsa3072, rsa4096, ecdsa-p256, ecdsa-p384")
      ->check(key_type_check())
      ->capture_default_str();
  cmd->add_option("--key-pool", a->key_pool,
                  "Key pairs made before the clock starts and used in turn (default: "
                  "--concurrency)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  cmd->add_flag("--pkcs10", a->pkcs10,
                "Send bare PKCS#10 requests (as cepces does) instead of CMC");
  cmd->add_flag("--quiet", a->quiet, "No progress line on stderr (it is shown only on a terminal)");
  cmd->add_option("--json", a->json,
                  "Also write the results to this file (ceslab.bench/1, docs/cli.md)")
      ->type_name("FILE");
  cmd->add_option("--html", a->html,
                  "Also write a self-contained HTML page with a latency histogram and the "
                  "throughput over time (docs/reports.md)")
      ->type_name("FILE");
  add_client_options(*cmd, a->client);
  cmd->callback([cmd, a, &exit_code] { exit_code = run_bench(*cmd, *a); });
}

}  // namespace ceslab::app
