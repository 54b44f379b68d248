# Script mode: restore what wsdl2h drops from ceslab_binding.h.
#
# wsdl2h does not carry `nillable="true"` from a global element to a ref of
# it, so wst:RequestSecurityToken/enr:RequestID comes out as a plain required
# string. MS-WSTEP clients send it as xsi:nil on Issue and KET (docs/protocol.md
# 1.3, 5.5), so the member must be a nillable pointer. The match must be
# exact and unique: if a gSOAP update changes the output, the build fails
# here instead of silently sending an empty element.
file(READ "${HEADER}" text)
string(REGEX MATCHALL "std::string[ ]+enr__RequestID[ ]+1;" hits "${text}")
list(LENGTH hits count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "fixup_binding: expected one required enr__RequestID member in ${HEADER}, found ${count}")
endif()
string(REGEX REPLACE "std::string[ ]+enr__RequestID[ ]+1;" "std::string* enr__RequestID nullptr 1;" text "${text}")
file(WRITE "${HEADER}" "${text}")
