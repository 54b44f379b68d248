// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/redaction.hpp"

#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ceslab/core/base64.hpp"
#include "ceslab/core/ossl.hpp"
#include "ceslab/core/text.hpp"

namespace ceslab::client {

namespace {

// One character of a UTF-8 text: its bytes and its code point (a
// malformed byte stands for itself).
struct CodePoint {
  std::string_view bytes;
  std::uint32_t value = 0;
};

std::vector<CodePoint> code_points(std::string_view text) {
  std::vector<CodePoint> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t len = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF8 ? 4 : 1;
    std::uint32_t value = len == 1 ? lead : (lead & (0x7Fu >> len));
    for (std::size_t k = 1; k < len; ++k) {
      const auto next = i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
      if ((next & 0xC0) != 0x80) {
        len = 1;
        value = lead;
        break;
      }
      value = (value << 6) | (next & 0x3Fu);
    }
    out.push_back({text.substr(i, len), value});
    i += len;
  }
  return out;
}

std::string named_entity(std::uint32_t c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&apos;";
    default:
      return {};
  }
}

std::string numeric_reference(std::uint32_t c, bool hex) {
  char buf[16];
  std::snprintf(buf, sizeof buf, hex ? "&#x%X;" : "&#%u;", static_cast<unsigned>(c));
  return buf;
}

// The forms XML escaping can give `text`: named entities for &<> (and for
// the quotes, or only for '"'), controls as references, or every special,
// control and non-ASCII character as a decimal or hex reference.
std::vector<std::string> xml_forms(std::string_view text) {
  const std::vector<CodePoint> chars = code_points(text);
  const auto render = [&](auto&& escape) {
    std::string out;
    for (const CodePoint& c : chars) {
      const std::string e = escape(c.value);
      out += e.empty() ? std::string(c.bytes) : e;
    }
    return out;
  };
  const auto is_markup = [](std::uint32_t c) { return c == '&' || c == '<' || c == '>'; };
  const auto control = [](std::uint32_t c) { return c < 0x20; };
  std::vector<std::string> forms{
      std::string(text),
      render([&](std::uint32_t c) { return is_markup(c) ? named_entity(c) : std::string(); }),
      render([&](std::uint32_t c) {
        return is_markup(c) || c == '"' ? named_entity(c)
               : control(c)             ? numeric_reference(c, true)
                                        : std::string();
      }),
      render([&](std::uint32_t c) {
        return !named_entity(c).empty() ? named_entity(c)
               : control(c)             ? numeric_reference(c, true)
                                        : std::string();
      }),
  };
  for (const bool hex : {false, true}) {
    forms.push_back(render([&](std::uint32_t c) {
      return !named_entity(c).empty() || control(c) || c >= 0x80 ? numeric_reference(c, hex)
                                                                 : std::string();
    }));
  }
  std::sort(forms.begin(), forms.end());
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  return forms;
}

core::Bytes der_of(EVP_PKEY* key, bool pkcs8) {
  unsigned char* out = nullptr;
  int len = 0;
  if (pkcs8) {
    PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key);
    if (info == nullptr) throw core::CryptoError("redaction: PKCS#8 form of a private key");
    len = i2d_PKCS8_PRIV_KEY_INFO(info, &out);
    PKCS8_PRIV_KEY_INFO_free(info);
  } else {
    len = i2d_PrivateKey(key, &out);
  }
  if (len <= 0 || out == nullptr) throw core::CryptoError("redaction: DER of a private key");
  core::Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";
constexpr std::string_view kPrivateKeyLabel = "PRIVATE KEY";
// Base64 lines shorter than this (the tail of a key) are too likely to
// occur by chance in other base64 to be redacted everywhere.
constexpr std::size_t kMinKeyLine = 16;

}  // namespace

void Secrets::add_needle(std::string text, Kind kind) {
  if (text.empty()) return;
  for (const Needle& n : needles_) {
    if (n.text == text) return;
  }
  needles_.push_back({std::move(text), kind});
  std::stable_sort(needles_.begin(), needles_.end(),
                   [](const Needle& a, const Needle& b) { return a.text.size() > b.text.size(); });
}

void Secrets::add_password(std::string_view password) {
  if (password.empty()) return;
  for (std::string& form : xml_forms(password)) add_needle(std::move(form), Kind::password);
}

void Secrets::add_private_key(EVP_PKEY* key) {
  if (key == nullptr) throw std::invalid_argument("redaction: null private key");
  for (const bool pkcs8 : {true, false}) {
    const core::Bytes der = der_of(key, pkcs8);
    add_needle(std::string(der.begin(), der.end()), Kind::private_key);
    const std::string base64 = core::encode_base64_wrapped(der);
    std::size_t start = 0;
    while (start < base64.size()) {
      const auto end = std::min(base64.find("\r\n", start), base64.size());
      if (end - start >= kMinKeyLine)
        add_needle(base64.substr(start, end - start), Kind::private_key);
      start = end + 2;
    }
  }
}

std::string Secrets::redact(std::string_view text, RedactionCount* count) const {
  RedactionCount local;
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // A PEM private-key block: keep its BEGIN/END lines, drop the body.
    if (text.compare(i, kBegin.size(), kBegin) == 0) {
      const auto label_start = i + kBegin.size();
      const auto label_end = text.find(kDashes, label_start);
      if (label_end != std::string_view::npos) {
        const std::string_view label = text.substr(label_start, label_end - label_start);
        if (label.size() >= kPrivateKeyLabel.size() &&
            label.substr(label.size() - kPrivateKeyLabel.size()) == kPrivateKeyLabel &&
            label.find('\n') == std::string_view::npos) {
          const std::string end_marker =
              std::string("-----END ") + std::string(label) + std::string(kDashes);
          const auto body_start = label_end + kDashes.size();
          const auto end = text.find(end_marker, body_start);
          out.append(text.substr(i, body_start - i));
          out += '\n';
          out += kRedacted;
          out += '\n';
          ++local.private_keys;
          if (end == std::string_view::npos) {
            i = text.size();
          } else {
            out += end_marker;
            i = end + end_marker.size();
          }
          continue;
        }
      }
    }
    const Needle* hit = nullptr;
    for (const Needle& n : needles_) {
      if (n.text[0] == text[i] && text.compare(i, n.text.size(), n.text) == 0) {
        hit = &n;
        break;
      }
    }
    if (hit == nullptr) {
      out += text[i++];
      continue;
    }
    out += kRedacted;
    (hit->kind == Kind::password ? local.passwords : local.private_keys)++;
    i += hit->text.size();
  }
  if (count != nullptr) {
    count->passwords += local.passwords;
    count->private_keys += local.private_keys;
  }
  return out;
}

void Secrets::redact(nlohmann::json& document, RedactionCount* count) const {
  if (document.is_string()) {
    document = redact(document.get_ref<const std::string&>(), count);
  } else if (document.is_array() || document.is_object()) {
    for (auto& child : document) redact(child, count);
  }
}

}  // namespace ceslab::client
