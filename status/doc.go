// Package status renders a scoreboard snapshot as mod_status does: the HTML
// page, the machine-readable ?auto text, a terminal table and JSON.
package status
