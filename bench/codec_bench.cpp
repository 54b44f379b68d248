// SPDX-License-Identifier: GPL-2.0-or-later
// Wire codec throughput: how fast the mock and the client turn messages into
// envelopes and back (one RST Issue with a real PKCS#10, one RSTRC).
#include <benchmark/benchmark.h>

#include "ceslab/core/csr.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "soap_requests.hpp"

namespace {

using namespace ceslab;

core::SoapMessage issue_message() {
  static const core::Bytes csr = [] {
    core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("rsa2048"));
    return core::build_csr(key.get(), {});
  }();
  core::SoapMessage m = test_support::issue_request(
      "https://ces.lab.test/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES",
      "urn:uuid:6f1d1a52-5b2e-4a43-9b7c-0c1c7d5c2a11", csr, "User");
  m.security = test_support::username_security({"LAB\\alice", "alice-password"});
  return m;
}

void BM_WriteIssue(benchmark::State& state) {
  const core::SoapMessage m = issue_message();
  for (auto _ : state) benchmark::DoNotOptimize(wsdl::write_message(m));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WriteIssue);

void BM_ReadIssue(benchmark::State& state) {
  const std::string xml = wsdl::write_message(issue_message());
  for (auto _ : state) benchmark::DoNotOptimize(wsdl::read_message(xml));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * xml.size()));
}
BENCHMARK(BM_ReadIssue);

}  // namespace
