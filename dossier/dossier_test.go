package dossier

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/civicmon/civicmon"
)

func parseFile(t *testing.T, name string) *Dossier {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := Parse(f, name)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return d
}

func checkUpdates(t *testing.T, got, want []Update) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d updates, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("update %d:\n got %#v\nwant %#v", i+1, got[i], want[i])
		}
	}
}

// The seed is a real country page: ten updates, newest first, each with its
// summary exactly as the page has it, less "Read more" and the repeated title.
func TestSeed(t *testing.T) {
	d := parseFile(t, "testdata/kazakhstan-country-page.txt")
	if d.Country != "Kazakhstan" {
		t.Errorf("Country = %q, want Kazakhstan", d.Country)
	}
	want := []struct {
		line           int
		title, summary string
	}{
		{3, "Kazakhstan: Civic space limited by continued fallout from January 2022 events",
			"During the reporting period, the situation in Kazakhstan continued to be affected by the fallout from the January 2022 events, when mass protests for social and political change were met with excessive force by the authorities and parts of the crowd resorted to violence. Representatives of the international community have repeatedly expressed concerns about the human rights impact of these events and called for an effective and impartial investigation into them."},
		{9, "On the Watchlist: Widespread violations reported during ‘’Bloody January’’",
			"At the beginning of January 2022, thousands of people across Kazakhstan took to the streets in peaceful protests to call for social and political change. The protests turned bloody as the authorities used force to put an end to them, and some parts of the crowd resorted to violence . The circumstances under which the protests evolved into unrest, riots and clashes between protesters and security forces, as well as the role of different actors in these developments, have yet to be fully clarified. However, there are serious concerns about the manner in which the authorities responded to the crisis, in particular their failure to make a distinction between non-peaceful and peaceful protest participants, both of whom were indiscriminately branded ‘’terrorists’’; arbitrary mass detentions of protesters; reports of the excessive use of force, including the use of lethal force against peaceful protesters and passers-by; widespread allegations of torture and ill-treatment, due process violations and disappearances of detained protesters; as well as the prosecution of people for merely peacefully exercising their freedoms of peaceful assembly, association and expression. These events, which constitute the most serious crisis experienced by Kazakhstan during its 30 years of independence, seriously affected civic space in the country. Due to a rapid decline in civic freedoms, Kazakhstan is currently featured on the CIVICUS Monitor Watchlist."},
		{15, "Tragic death of long-term political prisoner, systematic violations of fundamental freedoms",
			"During the reporting period, freedom of expression continued to be restricted in Kazakhstan, especially through silencing of journalists and other media professionals with the use of criminal and administrative charges and other legal means. Numerous new cases aimed at silencing independent and critical voices were reported. Additionally, the number of strikes in Kazakhstan increased sharply in 2021. Recently, courts have begun cracking down on strikes, especially those taking place in the oil sector, and have declared them illegal. Meanwhile, the authorities continued to crack down on supporters of the opposition movements the Democratic Choice of Kazakhstan and the Street Party, both of which have been banned as “extremist’’ by a court, although they do not advocate or endorse violence. Kazakhstan’s longest serving political prisoner, Aron Atabek, was released on parole in October 2021 after serving 15 years behind bars. Shortly after his release, he tragically passed away"},
		{21, "Silenced dissent, sentencing of opposition activists, and still no right to peacefully assemble",
			"The reporting period was characterised by an overwhelming number of prosecutions for participating in activities of a banned extremist organisation (Article 405 of the Criminal Code). In all cases, the targeted citizens are facing charges for allegedly supporting the Democratic Choice of Kazakhstan (DVK) and/or the Street Party, both of which have been banned and labelled extremist by court rulings. A significant number of administrative sentences and fines were also handed to citizens for exercising their right to peaceful assembly. Despite the adoption of a new law on the right to demonstrate last year, citizens are still denied this right in practice, especially when attempting to voice concerns about politically sensitive or controversial issues."},
		{27, "Muffled protests and persecution of opposition movements, NGOs and trade unions",
			"The reporting period saw several cases of pressure and obstruction of the work of trade unions and NGOs and continued persecution of activists from the Democratic Choice of Kazakhstan (DVK) and the Street Party, opposition movements which have been banned as “extremist’’ by court decisions in Kazakhstan, although they do not advocate or endorse violence. The right to freedom of peaceful assembly remained under threat, with authorities continuing to arrest and prosecute citizens for administrative offences months after an unsanctioned demonstration has taken place. Furthermore, the authorities have begun to systematically switch off internet connectivity in parts of Almaty during demonstrations. During the reporting period, there were cases when the police used kettling against protesters for over ten hours at a time"},
		{33, "Wave of political repression: witch hunts for activists, marred elections and scores of arrests",
			"Events during this reporting period form part of the strongest wave of politically motivated repression in Kazakhstan since the aftermath of the 2011 events in Zhanaozen. Over 30 people were detained and are currently in custody across the country in retaliation for their peaceful exercise of the freedoms of expression, association and assembly. On top of that, at least 50 people detained for exercising their freedoms have been sentenced to prison, and around 250 have been summoned for interrogation as suspects and witnesses in criminal cases initiated in this context. Most of these people have been charged with participating in a banned extremist organisation under Article 405 of the Kazakhstani Criminal Code, a provision that the authorities use to target individuals associated with the opposition Democratic Choice of Kazakhstan (DVK) and Street Party movements. Both movements have been banned and labelled as extremist organisations by a court."},
		{41, "Massive restrictions on expression during COVID-19; sudden banning of peaceful opposition",
			"The reporting period was characterised by mass restrictions on freedom of expression and freedom of association, specifically in relation to the banning of the popular unregistered “Street Party” movement by a court decision in May 2020 after it was labelled as extremist. The reporting period also saw important legislative developments, including changing slander from a criminal to an administrative offence and the corresponding reduction of penalties from prison sentences to fines. However, insult and insulting a government representative remain criminal offences."},
		{47, "Systematic persecution of CSO activists; attacks on freedom of expression and assembly continue",
			"The first three months of 2020 saw ongoing and systematic persecution of civil society activists, journalists, bloggers and other citizens exercising their right to freely express themselves. The situation is currently deteriorating, particularly in connection with the state of emergency, which was declared in the country on 16th March 2020 due to the coronavirus (COVID-19) pandemic. Citizens who spoke up about the status of the pandemic in Kazakhstan and the authorities’ handling of it have on numerous occasions been criminally prosecuted. Political activists associated with two unregistered political parties – the new Democratic Party and the new movement “Street Party” - have faced persecution, administrative prosecution and significant harassment, both from the authorities and from unidentified persons."},
		{53, "Changes ahead or status quo? Presidential promises amidst ongoing prosecution of political activists",
			"During December 2019 there were numerous detentions of citizens participating in unsanctioned demonstrations, especially on Kazakhstan’s Independence Day on 16th December 2019, which is marked every year with demonstrations and small-scale pickets across the country. The detentions illustrate that the worrying trend of detaining anyone who demonstrates public dissent continues. However, on 20th December 2019 President Kasym-Zhomart Tokayev made several statements which alluded to potential positive changes in the situation for civil society, media and activists in Kazakhstan."},
		{60, "Kazakhstan: Civil society activists intimidated, harassed and imprisoned",
			"Fundamental freedoms have continuously been severely restricted in Kazakhstan.\nCivil society activists, bloggers, protest participants and others - who criticised authorities in power - faced intimidation and harassment, including prosecution on charges brought against their legitimate exercise of freedom of expression, association and assembly."},
	}
	var wantUpdates []Update
	for _, w := range want {
		wantUpdates = append(wantUpdates, Update{Title: w.title, Summary: w.summary, Line: w.line})
	}
	checkUpdates(t, d.Updates, wantUpdates)
}

// Variant (b): "Read more  |  Read in <Language>", once or several times,
// at the end of a line or on a line of its own, and its pipes on a line of
// their own after "Read more".
func TestTranslations(t *testing.T) {
	d := parseFile(t, "testdata/kyrgyzstan-translations.txt")
	if d.Country != "Kyrgyzstan" {
		t.Errorf("Country = %q, want Kyrgyzstan", d.Country)
	}
	checkUpdates(t, d.Updates, []Update{
		{Line: 3, Title: "Law on “foreign representatives” adopted despite objections from civil society",
			Summary:      "Parliament adopted amendments to the law on non-commercial organisations (закон «О некоммерческих организациях») that oblige groups receiving funding from abroad and engaging in broadly defined “political activities” to register as “foreign representatives”. Civil society groups warned that the vague wording leaves room for arbitrary inspections and closures.",
			Translations: []string{"Russian"}},
		{Line: 9, Title: "Journalists detained after investigation into public procurement",
			Summary:      "Police searched the office of an independent online outlet and detained several current and former staff members after it published an investigation into public procurement. They were charged with “calls to mass riots”, a charge media freedom groups say is routinely used against critical voices.\n\nColleagues gathered outside the court under the slogan «Журналистика — не преступление» (“Journalism is not a crime”).",
			Translations: []string{"Russian", "Kyrgyz"}},
		{Line: 18, Title: "Peaceful assembly banned in central Bishkek ahead of elections",
			Summary: "The city authorities extended a ban on gatherings in the centre of the capital for the whole election period, citing public order. Human rights defenders said the ban was disproportionate and left no place for peaceful protest within sight and sound of its intended audience."},
		{Line: 24, Title: "Кыргызстан: давление на правозащитников усиливается",
			Summary:      "Human rights defenders reported summonses for “conversations” with security services, online smear campaigns and audits of their organisations. A draft law on “false information” would allow websites to be blocked without a court decision.",
			Translations: []string{"Russian"}},
	})
}

// Variant (c): dated list items, the title not repeated, the summary ending
// in "Read more" (on its line or its own), with a translation, or not at all.
func TestDated(t *testing.T) {
	d := parseFile(t, "testdata/kazakhstan-latest-developments.txt")
	if d.Country != "Kazakhstan" {
		t.Errorf("Country = %q, want Kazakhstan", d.Country)
	}
	checkUpdates(t, d.Updates, []Update{
		{Line: 5, Date: civicmon.MustDate("2020-06-01"), Title: "New law on peaceful assemblies signed despite criticism",
			Summary:      "The President signed the new law on the procedure for organising and holding peaceful assemblies. Local and international human rights groups said that the law retains a de facto permission-based system and allows assemblies only in specially designated places.",
			Translations: []string{"Russian"}},
		{Line: 11, Date: civicmon.MustDate("2020-05-08"), Title: "Активисту «Улицы партии» назначено ограничение свободы",
			Summary: "Суд в Алматы приговорил активиста к ограничению свободы за «участие в деятельности запрещённой экстремистской организации».\nThe activist denied the charges and his lawyer said the case was based on social media posts alone."},
		{Line: 18, Date: civicmon.MustDate("2020-04-21"), Title: "Journalist fined for “spreading false information” about the pandemic",
			Summary: "A regional journalist was fined after writing on Facebook about a shortage of protective equipment in a local hospital. The authorities described the post as “false information” under the state of emergency."},
		{Line: 26, Date: civicmon.MustDate("2020-04-02"), Title: "Volunteers detained while distributing food in Nur-Sultan",
			Summary: "Police briefly detained volunteers who were handing out food parcels during the quarantine, saying they needed a permit."},
		{Line: 32, Date: civicmon.MustDate("2020-03-17"), Title: "State of emergency declared over COVID-19",
			Summary: "A state of emergency was declared in the country on 16th March 2020. Mass events were banned, and civil society groups called on the authorities to respect the principles of necessity and proportionality."},
	})
}

// One file may mix the shapes; line endings, a byte order mark, indentation
// and the spacing around pipes do not matter; "Read more" inside a line is
// text.
func TestMixed(t *testing.T) {
	const text = `  Kazakhstan  

Tuesday 21.4.2020 kazakhstan -  Latest Developments  -
  Journalist fined  
Read more about the fine in the court's decision.
The fine was paid.	Read more|Read in Russian|	Read in Kazakh | Read in Russian
Title one
First paragraph.

	Second paragraph, indented.   Read more
Title one
Friday 17.4.2020 Kazakhstan - Latest Developments -
Dated, its summary without a Read more marker
It runs to the end of the file.


`
	want := &Dossier{Country: "Kazakhstan", Updates: []Update{
		{Line: 4, Date: civicmon.MustDate("2020-04-21"), Title: "Journalist fined",
			Summary:      "Read more about the fine in the court's decision.\nThe fine was paid.",
			Translations: []string{"Russian", "Kazakh"}},
		{Line: 7, Title: "Title one", Summary: "First paragraph.\n\n\tSecond paragraph, indented."},
		{Line: 13, Date: civicmon.MustDate("2020-04-17"), Title: "Dated, its summary without a Read more marker",
			Summary: "It runs to the end of the file."},
	}}
	for name, in := range map[string]string{
		"LF":   text,
		"CRLF": strings.ReplaceAll(text, "\n", "\r\n"),
		"CR":   strings.ReplaceAll(text, "\n", "\r"),
		"BOM":  "\uFEFF" + text,
	} {
		d, err := Parse(strings.NewReader(in), name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(d, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", name, d, want)
		}
	}
}

// Lines that only resemble the markers are text.
func TestLookalikes(t *testing.T) {
	const text = `Kazakhstan
Kazakhstan
Monday, the latest developments were discussed.
Tuesday 17.3.2020 was the day; see the Latest Developments page.
Read more. Read more about it | and Read in the report. Read more
Kazakhstan
`
	d, err := Parse(strings.NewReader(text), "x.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []Update{{Line: 2, Title: "Kazakhstan", Summary: "Monday, the latest developments were discussed.\n" +
		"Tuesday 17.3.2020 was the day; see the Latest Developments page.\n" +
		"Read more. Read more about it | and Read in the report."}}
	checkUpdates(t, d.Updates, want)
}

// Each malformed dossier gives its own error, and no dossier.
func TestMalformed(t *testing.T) {
	const (
		t1 = "Kazakhstan: Civic space limited by continued fallout from January 2022 events"
		t2 = "Silenced dissent, sentencing of opposition activists, and still no right to peacefully assemble"
		t3 = "Changes ahead or status quo? Presidential promises amidst ongoing prosecution of political activists"
		dl = `like "Tuesday 17.3.2020 Kazakhstan - Latest Developments -"`
	)
	cases := map[string]struct {
		line, col int
		msg       string
	}{
		"empty.txt":        {1, 1, "the file is empty — a dossier starts with the country's name, followed by its updates"},
		"blank.txt":        {1, 1, "the file is empty — a dossier starts with the country's name, followed by its updates"},
		"invalid-utf8.txt": {5, 40, "the line is not valid UTF-8 text — save the file with the UTF-8 encoding"},

		"no-country.txt":         {1, 1, `no country line: line 1 "` + t1 + `" is the title of the first update, repeated on line 5 — add the country's name as the first line`},
		"no-country-dated.txt":   {1, 1, "no country line: the file starts with a dated update — add the country's name as the first line"},
		"no-country-summary.txt": {1, 1, `no country line: the first line ends in "Read more", so it is a summary — add the country's name as the first line, then the update's title`},
		"no-updates.txt":         {1, 11, "the file has a country line but no updates — add the country's updates after its name"},

		"missing-read-more.txt":             {11, 132, `the summary of "` + t2 + `" (line 9) does not end in "Read more" before its repeated title on line 13 — add " Read more" at the end of the summary's last line`},
		"missing-read-more-eof.txt":         {12, 40, `the summary of "` + t2 + `" (line 9) does not end in "Read more" before the end of the file (or remove the text if it is not an update) — add " Read more" at the end of the summary's last line`},
		"missing-read-more-dated.txt":       {5, 127, `the summary of "` + t1 + `" (line 3) does not end in "Read more" before the dated update on line 7 — add " Read more" at the end of the summary's last line`},
		"missing-read-more-next-update.txt": {11, 132, `the summary of "` + t2 + `" (line 9) does not end in "Read more", and its title is not repeated, before the next update "` + t3 + `" on line 13 — add " Read more" at the end of the summary's last line and the title on its own line after it`},
		"no-summary.txt":                    {11, 1, `the update "` + t2 + `" (line 9) has no summary — add its summary before "Read more"`},
		"read-more-glued.txt":               {11, 131, `"Read more" is joined to the text before it — put a space before "Read more"`},
		"read-in-no-language.txt":           {5, 143, `"Read in" names no language — write translations as "Read more  |  Read in Russian"`},
		"read-in-garbage.txt":               {5, 163, `expected "Read in <Language>" after the pipe, found "Share" — write translations as "Read more  |  Read in Russian"`},

		"title-mismatch.txt":           {13, 85, `the repeated title differs from the title on line 9: expected "` + t2 + `", found "` + strings.Replace(t2, "peacefully", "peacefuly", 1) + `" — make the two lines the same`},
		"title-not-repeated.txt":       {13, 1, `the title of "` + t2 + `" (line 9) is not repeated after its summary: line 13 starts the next update — add the title on its own line after "Read more"`},
		"title-not-repeated-eof.txt":   {13, 10, `the title of "` + t2 + `" (line 9) is not repeated after its summary — add the title on its own line after "Read more"`},
		"title-not-repeated-dated.txt": {7, 1, `the title of "` + t1 + `" (line 3) is not repeated before the dated update on line 7 — add the title on its own line after "Read more"`},
		"summary-without-title.txt":    {9, 1, `expected an update's title, found a summary ending in "Read more" — add the update's title on its own line above it`},
		"long-title.txt":               {5, 1, "the line is 343 characters long, too long for a title (at most 300): is it a summary without its title? — add the update's title on its own line above it, or shorten the title"},
		"trailing-text.txt":            {15, 1, `text after the last update is not an update — remove it, or complete the update: a summary ending in "Read more", then the title repeated on its own line`},

		"impossible-date.txt":      {3, 8, `"31.2.2020" is not a date: February 2020 has 29 days — correct the day or the month (the date is day.month.year)`},
		"impossible-month.txt":     {3, 9, `"3.17.2020" is not a date: there is no month 17 — write the date as day.month.year`},
		"bad-date-format.txt":      {3, 9, `expected a date as day.month.year after the weekday, found "17/3/2020" — write the dated line ` + dl},
		"wrong-weekday.txt":        {3, 1, "17.3.2020 is a Tuesday, not a Monday — correct the weekday or the date"},
		"wrong-country.txt":        {9, 19, `the dated line names "Kyrgyzstan", but the dossier is for "Kazakhstan" (line 1) — a dossier holds one country's updates: correct the country or move the update to its own country's file`},
		"dated-missing-dash.txt":   {3, 18, `expected the country's name and "- Latest Developments -" after the date — write the dated line ` + dl},
		"dated-no-title.txt":       {5, 1, "expected the title of the update dated on line 3, found another dated line — add the title and summary after line 3"},
		"dated-at-end.txt":         {9, 53, "the dated line is not followed by an update — add the update's title and summary after it"},
		"dated-no-summary.txt":     {5, 17, `the update "Journalist fined" has no summary — add its summary after the title`},
		"dated-title-repeated.txt": {9, 1, "line 9 repeats the title of the dated update on line 5, but dated updates do not repeat their title — delete line 9"},
	}
	files, err := filepath.Glob("testdata/malformed/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if _, ok := cases[filepath.Base(name)]; !ok {
			t.Errorf("%s has no expected error in TestMalformed", name)
		}
	}
	for base, c := range cases {
		name := filepath.Join("testdata", "malformed", base)
		f, err := os.Open(name)
		if err != nil {
			t.Error(err)
			continue
		}
		d, err := Parse(f, name)
		f.Close()
		if d != nil {
			t.Errorf("%s: Parse returned a dossier with its error", name)
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want a *ParseError", name, err)
			continue
		}
		want := ParseError{File: name, Line: c.line, Column: c.col, Msg: c.msg}
		if *pe != want {
			t.Errorf("%s:\n got %d:%d: %s\nwant %d:%d: %s", name, pe.Line, pe.Column, pe.Msg, c.line, c.col, c.msg)
		}
		if s := fmt.Sprintf("%s:%d:%d: %s", name, c.line, c.col, c.msg); pe.Error() != s {
			t.Errorf("Error() = %q, want %q", pe.Error(), s)
		}
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	d, err := Parse(iotest.ErrReader(boom), "x.txt")
	if d != nil || !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "x.txt: ") {
		t.Errorf("Parse = %v, %v; want nil and x.txt: boom", d, err)
	}
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.txt")
	more, _ := filepath.Glob("testdata/malformed/*.txt")
	for _, name := range append(seeds, more...) {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("K\nT\nS Read more | Read in X\n| Read in Y\nT\nMonday 1.6.2020 K - Latest Developments -\nT2\nS2\n")
	f.Fuzz(func(t *testing.T, in string) {
		d, err := Parse(strings.NewReader(in), "f.txt")
		sameSplit(t, in, 1)
		if err != nil {
			var pe *ParseError
			if d != nil || !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, %v; want nil and a *ParseError", d, err)
			}
			if pe.File != "f.txt" || pe.Line < 1 || pe.Column < 1 || !strings.Contains(pe.Msg, " — ") {
				t.Fatalf("bad error %#v", pe)
			}
			return
		}
		if d == nil || d.Country == "" || len(d.Updates) == 0 {
			t.Fatalf("Parse = %#v with no error", d)
		}
		prev := 0
		for _, u := range d.Updates {
			if u.Title == "" || u.Title != strings.TrimSpace(u.Title) || u.Summary == "" || u.Line <= prev {
				t.Fatalf("bad update %#v after line %d", u, prev)
			}
			if slices.Contains(u.Translations, "") {
				t.Fatalf("empty translation in %#v", u)
			}
			prev = u.Line
		}
	})
}

// sameSplit fails unless parsing in with its halves side by side (from
// halfFrom lines) gives what parsing it whole gives, error or dossier.
func sameSplit(t *testing.T, in string, halfFrom int) {
	t.Helper()
	whole, werr := parseSplit(strings.NewReader(in), "f.txt", math.MaxInt)
	split, serr := parseSplit(strings.NewReader(in), "f.txt", halfFrom)
	if !reflect.DeepEqual(whole, split) || fmt.Sprint(werr) != fmt.Sprint(serr) {
		t.Fatalf("parsed in halves:\n%+v, %v\nwhole:\n%+v, %v", split, serr, whole, werr)
	}
}

// A long dossier is parsed in two halves side by side, with the same
// result as a parse of the whole: updates, and the first error, wherever
// it is.
func TestParseHalves(t *testing.T) {
	var b strings.Builder
	b.WriteString("Kazakhstan\n")
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 400 {
		d := day.AddDate(0, 0, -i)
		fmt.Fprintf(&b, "\n%s %d.%d.%d Kazakhstan - Latest Developments -\n\nTitle %d\n\nSummary of update %d. Read more\n",
			d.Weekday(), d.Day(), int(d.Month()), d.Year(), i, i)
	}
	good := b.String()
	lines := strings.Split(good, "\n")
	// wrongDay gives update k (0 the newest) the weekday after its own.
	wrongDay := func(in string, k int) string {
		d := day.AddDate(0, 0, -k)
		right := fmt.Sprintf("%s %d.%d.%d Kazakhstan", d.Weekday(), d.Day(), int(d.Month()), d.Year())
		wrong := fmt.Sprintf("%s %d.%d.%d Kazakhstan", d.AddDate(0, 0, 1).Weekday(), d.Day(), int(d.Month()), d.Year())
		if !strings.Contains(in, right) {
			t.Fatalf("no line %q", right)
		}
		return strings.Replace(in, right, wrong, 1)
	}
	insert := func(at int, more ...string) string {
		return strings.Join(append(append(append([]string{}, lines[:at]...), more...), lines[at:]...), "\n")
	}
	for name, in := range map[string]string{
		"good":                     good,
		"titled in the middle":     insert(800, "An undated title", "", "Its summary. Read more", "An undated title"),
		"titled, early":            insert(98, "An undated title", "", "Its summary. Read more", "An undated title"),
		"wrong weekday, newer":     wrongDay(good, 10),
		"wrong weekday, older":     wrongDay(good, 350),
		"wrong weekday, both":      wrongDay(wrongDay(good, 350), 10),
		"unfinished titled, older": insert(1802, "An undated title", "", "Its summary without the end"),
		"other country, older":     strings.Replace(good, "Kazakhstan - Latest Developments -\n\nTitle 300\n", "Kyrgyzstan - Latest Developments -\n\nTitle 300\n", 1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(in), "f.txt")
			if wantErr := !strings.HasPrefix(name, "good") && !strings.HasPrefix(name, "titled"); (err != nil) != wantErr {
				t.Fatalf("Parse: %v; want an error: %v", err, wantErr)
			}
			for _, from := range []int{1, 100, 1000, 1600, 2001} {
				sameSplit(t, in, from)
			}
		})
	}
	for _, name := range append(glob(t, "testdata/*.txt"), glob(t, "testdata/malformed/*.txt")...) {
		in, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sameSplit(t, string(in), 1)
	}
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
