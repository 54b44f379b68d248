// SPDX-License-Identifier: GPL-2.0-or-later
// The lab's enterprise CA: its key pair and its request database. Both live in
// the mock's state directory, so a restarted `ceslab serve --state-dir DIR`
// is the same CA with the same requests (ids never reused, pending requests
// still pending), and `ceslab admin` can act on them from another process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/ossl.hpp"
#include "ceslab/mock/request_store.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock {

class LabCa {
 public:
  // Files in a state directory.
  static constexpr const char* kCertificateFile = "ca.pem";
  static constexpr const char* kKeyFile = "ca-key.pem";  // mode 0600
  static constexpr const char* kStoreFile = "requests.db";

  // Loads the CA from `state_dir`, or creates it there (key, self-signed
  // certificate as `settings` describe it, empty request store) when the
  // directory holds none. A half-present CA (certificate without key, or a
  // key that does not match) is refused with std::runtime_error naming the
  // file, never silently replaced: requests already issued would no longer
  // chain.
  static LabCa open(const std::filesystem::path& state_dir, const CaSettings& settings);

  const core::CertificateAuthority& authority() const { return authority_; }
  RequestStore& store() { return store_; }
  const std::filesystem::path& certificate_path() const { return certificate_path_; }

  // The CA exchange certificate clients encrypt archived keys to (KET,
  // docs/protocol.md 1.6): "<CA name>-Xchg", EKU szOID_KP_CA_EXCHANGE, issued by
  // the CA on first use and kept for this process, as AD CS renews its
  // exchange certificate on its own schedule.
  const X509* exchange_certificate();

  // Enters a request the CA could not process (it could not parse it, or the
  // signature did not verify) and returns the id it got: the CA assigns ids
  // to such requests too and lists them under Failed Requests (docs/protocol.md 6).
  std::string enter_failed(std::uint32_t hresult, std::string disposition_message);

 private:
  LabCa(core::CertificateAuthority authority, RequestStore store, std::filesystem::path cert_path,
        std::string ca_name)
      : authority_(std::move(authority)),
        store_(std::move(store)),
        certificate_path_(std::move(cert_path)),
        ca_name_(std::move(ca_name)),
        exchange_(std::make_unique<Exchange>()) {}

  struct Exchange {
    std::mutex mutex;
    core::X509Ptr certificate;
  };

  core::CertificateAuthority authority_;
  RequestStore store_;
  std::filesystem::path certificate_path_;
  std::string ca_name_;
  std::unique_ptr<Exchange> exchange_;
};

}  // namespace ceslab::mock
