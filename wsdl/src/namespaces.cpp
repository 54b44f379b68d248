// SPDX-License-Identifier: GPL-2.0-or-later
// The XML namespace table gSOAP's runtime needs (a global it links against).
// soapcpp2 writes the same table for both bindings; we compile one of them.
#include "SecurityTokenServiceSoap12.nsmap"
