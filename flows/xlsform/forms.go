package xlsform

import _ "embed"

// VisitForm is the office's own example form, "kunjungan pendampingan": a
// visit log linked to one of the worker's cases, in Indonesian and English.
// forms/gen.go writes it.
//
//go:generate go run forms/gen.go forms/kunjungan_pendampingan.xlsx
//go:embed forms/kunjungan_pendampingan.xlsx
var VisitForm []byte
