// SPDX-License-Identifier: GPL-2.0-or-later
// What a localized Windows prints where an English one prints "Log Name:" or
// "Error": Event Viewer's "Copy details as text" and `wevtutil qe /f:text`
// use the display language's labels and level names, and Get-WinEvent's
// LevelDisplayName and RenderingInfo's <Level> carry the localized level
// name (the property names of Format-List stay English). The engine keys on
// provider + event id, so the readers only need the labels to find those
// fields and the level names to report one English level.
//
// German and French as Windows Server writes them (Event Viewer details
// pane; wevtutil's text form); see tests/fixtures/diagnose-inputs/README.md
// for the sources and which parts are modelled.
#include <array>
#include <utility>

#include "ceslab/core/text.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

using Pair = std::pair<std::string_view, std::string_view>;

// localized label -> the English label of the same field
constexpr std::array<Pair, 34> kLabels{{
    // Event Viewer of Windows 2000 / Server 2003 ("Copy" in the event's
    // properties), as KB articles quote CA events
    {"Event Type", "Level"},
    {"Event Source", "Source"},
    {"Event Category", "Task Category"},
    // de-DE
    {"Protokollname", "Log Name"},
    {"Quelle", "Source"},
    {"Datum", "Date"},
    {"Ereignis-ID", "Event ID"},
    {"Aufgabenkategorie", "Task Category"},
    {"Aufgabe", "Task"},
    {"Ebene", "Level"},
    {"Schlüsselwörter", "Keywords"},
    {"Schlüsselwort", "Keyword"},
    {"Benutzer", "User"},
    {"Benutzername", "User Name"},
    {"Computer", "Computer"},
    {"Beschreibung", "Description"},
    {"Ereignis-XML", "Event Xml"},
    // fr-FR (French typography puts a space before the colon; the key is trimmed)
    {"Nom du journal", "Log Name"},
    {"Source", "Source"},
    {"Date", "Date"},
    {"ID de l'événement", "Event ID"},
    {"ID de l’événement", "Event ID"},
    {"Catégorie de la tâche", "Task Category"},
    {"Tâche", "Task"},
    {"Niveau", "Level"},
    {"Mots clés", "Keywords"},
    {"Mot clé", "Keyword"},
    {"Utilisateur", "User"},
    {"Nom d'utilisateur", "User Name"},
    {"Ordinateur", "Computer"},
    {"Description", "Description"},
    {"Code opération", "Opcode"},
    {"XML de l'événement", "Event Xml"},
    {"Événement XML", "Event Xml"},
}};

// localized level name -> the English one (Windows' standard levels and the
// two audit keywords Event Viewer shows in the Level column)
constexpr std::array<Pair, 17> kLevels{{
    {"Fehler", "Error"},
    {"Warnung", "Warning"},
    {"Informationen", "Information"},
    {"Kritisch", "Critical"},
    {"Ausführlich", "Verbose"},
    {"Überwachung erfolgreich", "Audit Success"},
    {"Überwachung gescheitert", "Audit Failure"},
    {"Überwachung fehlgeschlagen", "Audit Failure"},
    {"Erreur", "Error"},
    {"Avertissement", "Warning"},
    {"Information", "Information"},
    {"Critique", "Critical"},
    {"Commentaires", "Verbose"},
    {"Succès de l'audit", "Audit Success"},
    {"Échec de l'audit", "Audit Failure"},
    // Get-EventLog's EntryType names the audits so
    {"FailureAudit", "Audit Failure"},
    {"SuccessAudit", "Audit Success"},
}};

}  // namespace

std::string_view english_label(std::string_view label) {
  for (const auto& [local, english] : kLabels) {
    if (core::iequals(local, label)) return english;
  }
  return label;
}

std::string english_level(std::string_view level) {
  const std::string_view t = trim(level);
  for (const auto& [local, english] : kLevels) {
    if (core::iequals(local, t)) return std::string(english);
  }
  return std::string(t);
}

}  // namespace ceslab::diagnosis::inputs
