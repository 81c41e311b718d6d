// Package report renders a finished dataset as one self-contained HTML
// page for a reviewer: identity and provenance, label balance, flows over
// time, applications, per-feature summaries with histograms, and warnings.
// Plots are SVG drawn here; the page has no script, no external style or
// font, so it opens without network access. Summaries are computed in one
// streaming pass over the parts, in memory bounded by the number of
// columns, labels, applications and days, not by the number of flows.
//
// It may import pipeline/ (provenance, the part reader), pipeline/describe
// (file names) and the standard library.
package report
