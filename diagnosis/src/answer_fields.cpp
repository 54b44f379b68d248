// SPDX-License-Identifier: GPL-2.0-or-later
// The fields of the SOAP answer: a fault (docs/protocol.md 6), an RSTR
// (issued or pending), or a GetPolicies response.
#include "ceslab/core/fault_kind.hpp"
#include "field_rows.hpp"

namespace ceslab::diagnosis::detail {

namespace {

using core::EnrollmentFault;
using core::Evidence;
using core::ResponseEvidence;
using F = Field;
using T = FieldType;

const Evidence& ev(const Facts& f) {
  return f.evidence();
}

const EnrollmentFault* fault_of(const Facts& f) {
  return ev(f).fault ? &ev(f).fault->fault : nullptr;
}

// A part the record either has or, when the exchange is known, lacks.
bool fault_observed(const Facts& f) {
  return ev(f).fault.has_value() || f.exchange_known();
}
bool response_observed(const Facts& f) {
  return ev(f).response.has_value() || f.exchange_known();
}
bool policy_observed(const Facts& f) {
  return ev(f).policy.has_value() || f.exchange_known();
}

// What the record shows of something inside the fault or the RSTR.
std::string with_fault(const Facts& f, std::string (*show)(const EnrollmentFault&)) {
  return fault_of(f) ? show(*fault_of(f)) : "no fault";
}
std::string with_response(const Facts& f, std::string (*show)(const ResponseEvidence&)) {
  return ev(f).response ? show(*ev(f).response) : "no RSTR";
}

std::string present_with(const std::string& value) {
  return value.empty() ? "absent" : "present (" + quoted(value) + ")";
}

std::string as_is(std::string_view text) {
  return std::string(text);
}

// `fault.action`, `fault.code`, `fault.reason`: a text of the fault, shown
// as Show gives it.
template <std::string EnrollmentFault::*Text, std::string (*Show)(std::string_view)>
FieldInfo fault_text(FieldHead head) {
  return row(
      std::move(head),
      [](const FieldTest& t, const Facts& f) {
        return within(fault_of(f), f, [&] { return text_truth(t, fault_of(f)->*Text); });
      },
      fault_observed,
      [](const Facts& f) { return fault_of(f) ? Show(fault_of(f)->*Text) : "no fault"; });
}

// `response.certificate`, `policy.not_changed`: a flag of the RSTR or the
// policy answer.
template <auto Part, auto Flag>
FieldInfo part_flag(FieldHead head, ObservedFn observed, SeenFn seen) {
  return row(
      std::move(head),
      [](const FieldTest& t, const Facts& f) {
        const auto& part = ev(f).*Part;
        return within(part, f, [&] { return truth((*part).*Flag == t.flag); });
      },
      observed, seen);
}

}  // namespace

// One row per field, in documentation order: a table, which splitting would only scatter.
std::vector<FieldInfo> fault_fields() {
  const std::vector<std::string_view> kinds = {"enrollment_detail", "wcf_dispatcher",
                                               "ws_addressing", "other"};
  return {
      part_presence<&Evidence::fault>({F::fault, "fault", T::presence, "a SOAP fault came"},
                                      fault_observed),
      row(
          {F::fault_kind, "fault.kind", T::choice, "the fault's shape (docs/protocol.md 6)", kinds},
          [](const FieldTest& t, const Facts& f) {
            return within(fault_of(f), f,
                          [&] { return choice_truth(t, core::to_string(fault_of(f)->kind)); });
          },
          fault_observed,
          [](const Facts& f) {
            return with_fault(
                f, [](const EnrollmentFault& x) { return std::string(core::to_string(x.kind)); });
          }),
      fault_text<&EnrollmentFault::action, quoted>(
          {F::fault_action, "fault.action", T::text, "the fault message's wsa:Action"}),
      fault_text<&EnrollmentFault::code, as_is>(
          {F::fault_code, "fault.code", T::text, "s:Code/s:Value local name (Receiver, Sender)"}),
      row(
          {F::fault_subcode, "fault.subcode", T::text,
           "the subcode's local name (InvalidSecurity, InternalServiceFault, ...)"},
          [](const FieldTest& t, const Facts& f) {
            return within(fault_of(f), f,
                          [&] { return text_truth(t, fault_of(f)->subcode.value_or("")); });
          },
          fault_observed,
          [](const Facts& f) {
            return with_fault(f,
                              [](const EnrollmentFault& x) { return x.subcode.value_or("none"); });
          }),
      fault_text<&EnrollmentFault::reason, quoted>(
          {F::fault_reason, "fault.reason", T::text, "s:Reason/s:Text, possibly empty"}),
      row(
          {F::fault_error_code, "fault.error_code", T::code, "the detail's ErrorCode (HRESULT)"},
          [](const FieldTest& t, const Facts& f) {
            return within(fault_of(f), f, [&] {
              const auto& code = fault_of(f)->error_code;
              return code ? number_truth(t, static_cast<std::uint32_t>(*code)) : Truth::fails;
            });
          },
          fault_observed,
          [](const Facts& f) {
            return with_fault(f, [](const EnrollmentFault& x) {
              return x.error_code ? code_text(static_cast<std::uint32_t>(*x.error_code)) : "none";
            });
          }),
      row(
          {F::fault_invalid_request, "fault.invalid_request", T::flag,
           "the detail's InvalidRequest"},
          [](const FieldTest& t, const Facts& f) {
            return within(fault_of(f), f,
                          [&] { return optional_flag(t, fault_of(f)->invalid_request); });
          },
          [](const Facts& f) { return fault_of(f) && fault_of(f)->invalid_request.has_value(); },
          [](const Facts& f) { return flag_text(*fault_of(f)->invalid_request); }),
      row(
          {F::fault_request_id, "fault.request_id", T::presence,
           "the detail carries a RequestID (the CA saw the request)"},
          [](const FieldTest& t, const Facts& f) {
            return within(fault_of(f), f, [&] {
              return truth(!fault_of(f)->request_id.value_or("").empty() == t.flag);
            });
          },
          fault_observed,
          [](const Facts& f) {
            return with_fault(f, [](const EnrollmentFault& x) {
              return present_with(x.request_id.value_or(""));
            });
          }),
      row(
          {F::fault_has_detail, "fault.has_detail", T::flag,
           "a CertificateEnrollmentWSDetail was present"},
          [](const FieldTest& t, const Facts& f) {
            return within(fault_of(f), f, [&] { return truth(fault_of(f)->has_detail == t.flag); });
          },
          fault_observed,
          [](const Facts& f) {
            return with_fault(f, [](const EnrollmentFault& x) { return flag_text(x.has_detail); });
          }),
  };
}

// One row per field, in documentation order: a table, which splitting would only scatter.
std::vector<FieldInfo> response_and_policy_fields() {
  return {
      part_presence<&Evidence::response>(
          {F::response, "response", T::presence, "an RSTR (issued or pending) came"},
          response_observed),
      row(
          {F::response_disposition, "response.disposition", T::text,
           "the RSTR's DispositionMessage"},
          [](const FieldTest& t, const Facts& f) {
            return within(ev(f).response, f,
                          [&] { return text_truth(t, ev(f).response->disposition); });
          },
          response_observed,
          [](const Facts& f) {
            return with_response(f,
                                 [](const ResponseEvidence& r) { return quoted(r.disposition); });
          }),
      row(
          {F::response_pending, "response.pending", T::flag,
           "the RSTR carries a pending Reference URI"},
          [](const FieldTest& t, const Facts& f) {
            return within(ev(f).response, f, [&] {
              return truth(!ev(f).response->pending_reference.empty() == t.flag);
            });
          },
          response_observed,
          [](const Facts& f) {
            return with_response(f, [](const ResponseEvidence& r) {
              return r.pending_reference.empty() ? "false" : "true (" + r.pending_reference + ")";
            });
          }),
      part_flag<&Evidence::response, &ResponseEvidence::certificate>(
          {F::response_certificate, "response.certificate", T::flag,
           "the RSTR carries an issued certificate"},
          response_observed,
          [](const Facts& f) {
            return with_response(
                f, [](const ResponseEvidence& r) { return flag_text(r.certificate); });
          }),
      row(
          {F::response_request_id, "response.request_id", T::presence,
           "the RSTR carries a RequestID"},
          [](const FieldTest& t, const Facts& f) {
            return within(ev(f).response, f,
                          [&] { return truth(!ev(f).response->request_id.empty() == t.flag); });
          },
          response_observed,
          [](const Facts& f) {
            return with_response(
                f, [](const ResponseEvidence& r) { return present_with(r.request_id); });
          }),
      part_presence<&Evidence::policy>(
          {F::policy, "policy", T::presence, "a GetPolicies answer came"}, policy_observed),
      row(
          {F::policy_templates, "policy.templates", T::number,
           "how many templates the policy listed (nil counts as 0)"},
          [](const FieldTest& t, const Facts& f) {
            return within(ev(f).policy, f, [&] {
              return number_truth(t, static_cast<std::int64_t>(ev(f).policy->templates));
            });
          },
          policy_observed,
          [](const Facts& f) {
            return ev(f).policy ? std::to_string(ev(f).policy->templates) : "no policy";
          }),
      part_flag<&Evidence::policy, &core::PolicyEvidence::not_changed>(
          {F::policy_not_changed, "policy.not_changed", T::flag,
           "the answer said policiesNotChanged"},
          policy_observed,
          [](const Facts& f) {
            return ev(f).policy ? flag_text(ev(f).policy->not_changed) : "no policy";
          }),
  };
}

}  // namespace ceslab::diagnosis::detail
