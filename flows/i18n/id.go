package i18n

// id is the Indonesian catalogue, the default. Keep keys sorted by area.
var id = map[string]string{
	"start.greeting": "Halo, {name}! 👋\nSaya <b>{bot}</b>, asisten pelaporan lapangan {office}.\n\n" +
		"Lewat bot ini Pekerja Sosial Masyarakat (PSM) dan TKSK dapat:\n" +
		"• melaporkan kasus PMKS,\n• menjawab undangan rapat dan presensi,\n• menerima pengingat.\n\n" +
		"Ketik /bantuan untuk daftar perintah.",
	"help.text": "<b>Perintah</b>\n" +
		"/start — mulai\n" +
		"/bantuan — daftar perintah ini\n" +
		"/bahasa — ganti bahasa\n" +
		"/batal — batalkan isian yang sedang berjalan",
	"hint.unknown":    "Maaf, saya belum mengerti pesan itu. Ketik /start untuk mulai atau /bantuan untuk daftar perintah.",
	"error.apology":   "Maaf, terjadi gangguan saat memproses pesan Anda. Silakan coba lagi sebentar lagi.",
	"group.private":   "Silakan bicara dengan saya lewat chat pribadi: {link}",
	"cmd.start":       "Mulai",
	"cmd.help":        "Daftar perintah",
	"cmd.language":    "Ganti bahasa",
	"cmd.cancel":      "Batalkan isian",
	"language.choose": "Pilih bahasa:",
	"language.set":    "Bahasa diganti ke Bahasa Indonesia.",
}
