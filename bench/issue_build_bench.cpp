// SPDX-License-Identifier: GPL-2.0-or-later
// What the CA spends building an issued certificate and its CMC Full PKI
// Response (issue 17), alone: no server, network, codec or store. The two
// RSA signatures inside are timed on their own (BM_TwoSignatures), so the
// difference is the building besides them.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include "ca_signature.hpp"
#include "ceslab/core/ca.hpp"
#include "ceslab/core/cmc.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/decoded_request.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/x509.hpp"

namespace {

using namespace ceslab;

core::CaOptions ca_options(const char* key) {
  core::CaOptions o;
  o.key = core::KeySpec::parse(key);
  return o;
}

// A CA created as the mock creates its own, and an RSA-2048 request read as
// the mock reads it.
struct Lab {
  explicit Lab(const char* ca_key) : ca(core::CertificateAuthority::create(ca_options(ca_key))) {}
  core::CertificateAuthority ca;
  core::X509ReqPtr request = [] {
    core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("rsa2048"));
    core::CsrOptions o;
    o.subject = "CN=alice,O=Lab";
    o.template_ref = core::TemplateRef{"User", "", 0, 0};
    return core::decode_csr(core::build_csr(key.get(), o));
  }();
};

// The mock's CA key (RSA-2048), or an ECDSA P-256 one whose signatures cost
// ~1/20 of RSA's, so that the building besides them stands out of the noise.
const Lab& lab(bool rsa) {
  static const Lab with_rsa("rsa2048");
  static const Lab with_ec("ecdsa-p256");
  return rsa ? with_rsa : with_ec;
}

// What the mock's policy module gives the User template.
core::IssueOptions user_options() {
  core::IssueOptions o;
  o.subject = "CN=alice,CN=Users,DC=lab,DC=test";
  o.san.upn = {"alice@lab.test"};
  o.ekus = {"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4", "1.3.6.1.4.1.311.10.3.4"};
  o.template_ref = core::TemplateRef{"", "1.3.6.1.4.1.311.21.8.1.2", 100, 3};
  return o;
}

// Argument 1: the RSA CA, 0: the ECDSA one.
void BM_IssueAndRespond(benchmark::State& state) {
  const Lab& l = lab(state.range(0) == 1);
  const core::IssueOptions options = user_options();
  X509* ca_cert = l.ca.certificate();
  for (auto _ : state) {
    const core::X509Ptr cert = core::issue_for_request(l.ca, l.request.get(), options);
    benchmark::DoNotOptimize(core::certificate_der(cert.get()));
    benchmark::DoNotOptimize(core::build_cmc_response(core::CmcStatus::success, "Issued", ca_cert,
                                                      l.ca.key(), {ca_cert, cert.get()},
                                                      cert.get()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IssueAndRespond)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

// Two SHA-256 signatures with the CA's key over 1 KB, as inside the above.
void BM_TwoSignatures(benchmark::State& state) {
  const Lab& l = lab(state.range(0) == 1);
  for (auto _ : state) {
    for (int i = 0; i < 2; ++i) {
      if (!bench::sign_as_an_issuance_does(l.ca.key())) state.SkipWithError("sign");
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TwoSignatures)->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

}  // namespace
