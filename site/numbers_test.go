package site_test

import (
	"encoding/json"
	"testing"

	"github.com/civicmon/civicmon/webtest"
)

// The demo data's population shares (World Bank figures): on /statistics
// (the latest year, 2024) Obstructed holds 1464991768 people, 18.07…% of
// the rated countries' people; at the end of 2020 Repressed holds
// 3448527016, 44.11…%, and Obstructed, Repressed and Closed together
// 87.73…%. checkDemoPopulation keeps these figures honest: it reads them
// from the machine-readable data, which stays unformatted.
func checkDemoPopulation(t *testing.T, env *webtest.Env, url, category string, people int64, share float64) {
	t.Helper()
	var data struct {
		Rows []struct {
			Key    string  `json:"key"`
			People int64   `json:"people"`
			Share  float64 `json:"share"`
		} `json:"rows"`
	}
	body := env.Do(t, webtest.Scenario{URL: url}).Body
	if err := json.Unmarshal([]byte(body), &data); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	for _, r := range data.Rows {
		if r.Key == category {
			if r.People != people || int(r.Share*1000+0.5) != int(share*1000+0.5) {
				t.Fatalf("%s: %s has %d people, share %v; the test expects %d, %v", url, category, r.People, r.Share, people, share)
			}
			return
		}
	}
	t.Fatalf("%s: no row %s", url, category)
}

// TestFindingsNumbersInReadersLanguage: /statistics, /reports/{year} and
// the embedded charts write every number, percentage and population as
// the reader's language does (CLDR): "1,464,991,768" and "18.1%" in
// English, "1 464 991 768" (narrow no-break spaces) and "18,1 %" in
// French, "1 464 991 768" and "18,1 %" (no-break spaces) in Russian,
// "1.464.991.768" and "18,1 %" in Spanish, in the tables, the bars' labels
// and the headline sentences; month labels are the language's month names.
// The CSV and JSON behind the charts stay plain numbers.
func TestFindingsNumbersInReadersLanguage(t *testing.T) {
	env := newEnv(t)
	checkDemoPopulation(t, env, "/statistics/population.json", "obstructed", 1464991768, 0.1807)
	checkDemoPopulation(t, env, "/statistics/population.json?year=2020", "repressed", 3448527016, 0.4411)

	const nnbsp, nbsp = "\u202f", "\u00a0"
	env.Run(t,
		webtest.Scenario{URL: "/statistics", Contains: []string{
			"<td>18.1%</td><td>1,464,991,768</td>", `font-size="12">18.1%</text>`,
		}, NotContains: []string{"1464991768"}},
		webtest.Scenario{URL: "/statistics?lang=fr", Contains: []string{
			"<td>18,1" + nbsp + "%</td><td>1" + nnbsp + "464" + nnbsp + "991" + nnbsp + "768</td>",
			`font-size="12">18,1` + nbsp + `%</text>`,
		}, NotContains: []string{"1464991768", "18.1%", "1,464,991,768"}},
		webtest.Scenario{URL: "/statistics?lang=ru", Contains: []string{
			"<td>18,1" + nbsp + "%</td><td>1" + nbsp + "464" + nbsp + "991" + nbsp + "768</td>",
			`font-size="12">18,1` + nbsp + `%</text>`,
		}, NotContains: []string{"1464991768", "18.1%", "1,464,991,768"}},
		webtest.Scenario{URL: "/statistics?lang=es", Contains: []string{
			"<td>18,1" + nbsp + "%</td><td>1.464.991.768</td>",
		}, NotContains: []string{"1464991768", "18.1%"}},
		webtest.Scenario{URL: "/statistics?year=2020&lang=fr", Contains: []string{
			`<th scope="row">mars 2020</th>`, `font-size="12">mars 2020</text>`,
		}, NotContains: []string{">2020-03<"}},
		webtest.Scenario{URL: "/statistics?year=2020&lang=ru", Contains: []string{`<th scope="row">март 2020 г.</th>`}},

		webtest.Scenario{URL: "/reports/2020", Contains: []string{
			">87.7% of the people of the rated countries live", "<td>44.1%</td><td>3,448,527,016</td>",
		}, NotContains: []string{"3448527016"}},
		webtest.Scenario{URL: "/reports/2020?lang=fr", Contains: []string{
			">87,7" + nbsp + "% des habitants des pays notés",
			"<td>44,1" + nbsp + "%</td><td>3" + nnbsp + "448" + nnbsp + "527" + nnbsp + "016</td>",
			`font-size="12">44,1` + nbsp + `%</text>`,
			// The headline's links keep the language before the fragment.
			`href="/statistics?year=2020&amp;lang=fr#population"`,
		}, NotContains: []string{"3448527016", "44.1%", "87.7%", "3,448,527,016"}},
		webtest.Scenario{URL: "/reports/2020?lang=ru", Contains: []string{
			">87,7" + nbsp + "% жителей оценённых стран",
			"<td>44,1" + nbsp + "%</td><td>3" + nbsp + "448" + nbsp + "527" + nbsp + "016</td>",
		}, NotContains: []string{"3448527016", "44.1%", "87.7%", "3,448,527,016"}},
		webtest.Scenario{URL: "/reports/2020?lang=es", Contains: []string{
			"el 87,7" + nbsp + "% de los habitantes", "<td>44,1" + nbsp + "%</td><td>3.448.527.016</td>",
		}},

		webtest.Scenario{URL: "/embed/statistics/population?year=2020&lang=fr", Contains: []string{
			"<td>44,1" + nbsp + "%</td><td>3" + nnbsp + "448" + nnbsp + "527" + nnbsp + "016</td>",
			`font-size="12">44,1` + nbsp + `%</text>`,
		}, NotContains: []string{"44.1%"}},
		webtest.Scenario{URL: "/embed/statistics/population?year=2020&lang=ru", Contains: []string{
			"<td>44,1" + nbsp + "%</td><td>3" + nbsp + "448" + nbsp + "527" + nbsp + "016</td>",
		}},

		// The data behind the charts stays machine-readable in every language.
		webtest.Scenario{URL: "/statistics/population.csv?year=2020&lang=fr", Contains: []string{
			"repressed,Réprimé,0.4411099147456592,3448527016",
		}},
		webtest.Scenario{URL: "/statistics/population.json?year=2020&lang=ru", Contains: []string{
			`"people": 3448527016`, `"share": 0.4411099147456592`,
		}},
		webtest.Scenario{URL: "/statistics/timeline.csv?year=2020&lang=fr", Contains: []string{"2020-03,2020-03,"}},
	)
}
