# The seed corpora, gathered from the fixtures instead of copied (docs/fuzzing.md):
#   cmake -DSOURCE=<repo> -DOUT=<build>/fuzz/seeds -P fuzz/seeds.cmake
# writes OUT/<target>.list, the comma-separated files libFuzzer's
# -seed_inputs=@FILE reads (and tests/fuzz/replay_test.cpp replays). The mock
# reads HTTP requests, so its seeds are made here: the wire fixtures' request
# envelopes POSTed to the default world's endpoints, with a:To, the lab's
# password and a fresh WS-Security timestamp, so that a seed gets past the
# address filter and the replay window into the CA (run again before each
# fuzz pass: scripts/fuzz and the ctest fixture fuzz.seeds do).
cmake_minimum_required(VERSION 3.25)
if(NOT SOURCE OR NOT OUT)
  message(FATAL_ERROR "usage: cmake -DSOURCE=<repo> -DOUT=<dir> -P fuzz/seeds.cmake")
endif()
set(F ${SOURCE}/tests/fixtures)
set(diagnose_inputs ${F}/diagnose/*/*.txt ${F}/diagnose/*/*.xml ${F}/diagnose/*/*.http
                    ${F}/diagnose/*/*.json ${F}/diagnose/*/*.jsonl ${F}/diagnose/*/*.log
                    ${F}/diagnose-inputs/*/* ${F}/diagnose-public/*/*.txt
                    ${F}/diagnose-public/*/*.log ${F}/diagnose-public/*/*.http)
set(wire_xml ${F}/wire/*.xml ${F}/wire/lenient/*.xml ${F}/diagnose-inputs/soap/*)
set(seeds_pkcs10 ${F}/wire/der/pkcs10_*.der)
set(seeds_cms ${F}/wire/der/cms_*.der ${F}/wire/der/pkcs10_*.der)
set(seeds_cmc ${F}/wire/der/cms_*.der)
set(seeds_client_response ${wire_xml})
set(seeds_world_yaml ${SOURCE}/mock_ces/data/*.yaml ${SOURCE}/scenarios/causes/*.yaml)
set(seeds_scenario_yaml ${SOURCE}/scenarios/*/*.yaml)
set(seeds_evidence_json ${F}/diagnose/*/*.json ${F}/diagnose-inputs/json/*.json)
foreach(reader detect soap_fault http_response client_text event_xml event_text klist
        cepces_log evidence_json event_jsonl getcert_list)
  set(seeds_diagnose_${reader} ${diagnose_inputs})
endforeach()

# The mock's seeds: one HTTP request per request envelope.
set(mock_dir ${OUT}/mock_request)
file(REMOVE_RECURSE ${mock_dir})
file(MAKE_DIRECTORY ${mock_dir})
string(TIMESTAMP now "%Y-%m-%dT%H:%M:%S.000Z" UTC)
set(ces_path "/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES")
set(cep_path "/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP")
file(GLOB requests ${F}/wire/rst_*.xml ${F}/wire/get_policies.xml ${F}/wire/get_policies_*.xml
     ${F}/wire/lenient/rst_*.xml ${F}/wire/lenient/get_policies_minimal.xml ${F}/wire/bad/*.xml)
list(FILTER requests EXCLUDE REGEX "_response")
set(seeds_mock_request)
foreach(request ${requests})
  get_filename_component(name ${request} NAME_WE)
  file(READ ${request} body)
  set(path ${ces_path})
  if(name MATCHES "^get_policies")
    set(path ${cep_path})
  endif()
  # The mock serves before start() on port 0 (MockServer::handle).
  string(REGEX REPLACE "https://[^/<]*/[^<]*service\\.svc/(CES|CEP)" "https://127.0.0.1:0${path}"
                       body "${body}")
  string(REPLACE "Correct-Horse-9" "alice-password" body "${body}")
  string(REGEX REPLACE "<([a-z]+):Created>[^<]*<" "<\\1:Created>${now}<" body "${body}")
  string(REGEX REPLACE "<([a-z]+):Expires>[^<]*<" "<\\1:Expires>2099-01-01T00:00:00.000Z<" body
                       "${body}")
  string(LENGTH "${body}" length)
  file(WRITE ${mock_dir}/${name}.http
       "POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
       "Content-Type: application/soap+xml; charset=utf-8\r\n"
       "Content-Length: ${length}\r\n\r\n${body}")
  list(APPEND seeds_mock_request ${mock_dir}/${name}.http)
endforeach()
file(WRITE ${mock_dir}/get_wsdl.http "GET ${ces_path}?wsdl HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
list(APPEND seeds_mock_request ${mock_dir}/get_wsdl.http)

foreach(target mock_request pkcs10 cms cmc client_response world_yaml scenario_yaml
        diagnose_detect diagnose_soap_fault diagnose_http_response diagnose_client_text
        diagnose_event_xml diagnose_event_text diagnose_klist diagnose_cepces_log
        diagnose_evidence_json diagnose_event_jsonl diagnose_getcert_list evidence_json)
  set(files)
  foreach(pattern ${seeds_${target}})
    if(pattern MATCHES "[*]")
      file(GLOB found ${pattern})
      list(APPEND files ${found})
    else()
      list(APPEND files ${pattern})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES files)
  list(SORT files)
  if(NOT files)
    message(FATAL_ERROR "fuzz/seeds.cmake: no seeds for ${target}")
  endif()
  string(REPLACE ";" "," listed "${files}")
  file(WRITE ${OUT}/${target}.list "${listed}")
endforeach()
