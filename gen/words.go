package gen

import (
	"math"
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The vocabulary is the same for every seed: the seed picks what is said,
// not the words there are to say it with. It is built once, on first use.

// functionWords are the most frequent words of the text, in rank order.
var functionWords = strings.Fields(`the of and to in a on by for with was were at from that as is
	after their had have been against an under which this during who said its over more also not
	two three several least into before between when while following without since other some all
	they them it he she his her these those be are has or but most many one four five new later
	about than such any only both each`)

// domainWords are English words of civic space reporting. "peaceful",
// "detained" and "shutdown" are deliberately absent: they appear only in the
// scheduled Phrases, so that searching for them finds exactly the updates
// the schedule says.
var domainWords = strings.Fields(`authorities police protesters activists journalists government court
	law organisation organisations civil society rights human freedom association assembly expression
	arrested detention arrest charged charges prison sentenced sentence fined fine trial hearing
	judge prosecutor prosecutors investigation investigators security forces officers riot
	demonstration demonstrations protest protests rally rallies march marched gathered crowd
	crowds square capital city region regional district province local national media online
	internet social network networks blocked blocking website websites platform platforms access
	newspaper editor editors reporter reporters broadcaster television radio outlet outlets
	independent state opposition party parties leader leaders member members movement movements
	union unions trade workers strike strikes labour students university teachers doctors
	lawyers lawyer defender defenders advocate advocates women youth environmental land indigenous
	minority minorities community communities religious group groups coalition network
	registration registered deregistered foreign agent agents funding donors grants restrictive
	amendment amendments bill bills parliament legislation decree code criminal administrative
	article articles provision provisions penalty penalties offence offences extremism extremist
	terrorism terrorist disinformation false information insult defamation libel slander
	censorship censored surveillance monitoring spyware phones devices seized searched raid raids
	homes offices equipment confiscated harassment harassed intimidation intimidated threats
	threatened threat attack attacked attacks assault assaulted beaten injured wounded killed
	death deaths custody torture ill-treatment abuse abuses violation violations reported reports
	report according sources witnesses footage video videos images statement statements
	spokesperson ministry minister interior justice president presidential election elections
	electoral vote voters campaign candidates candidate polling observers observer monitors
	international regional mission commission committee council organisation's united nations
	special rapporteur experts expert condemned called urged demanded release released freed
	acquitted convicted appeal appealed upheld overturned ruling ruled verdict case cases
	proceedings prosecution prosecuted summoned questioned interrogated warned warning banned ban
	prohibited permit permits authorisation authorised unauthorised notification notified refused
	denied dispersed dispersal tear gas rubber bullets water cannon batons force excessive
	disproportionate unlawful arbitrary arbitrarily politically motivated pretext pretexts
	allegedly alleged claims claimed accused accusations evidence lack transparency accountability
	impunity perpetrators officials official public publicly private privately widely week weeks
	month months year years day days morning evening night hours early late recent recently
	previous previously ongoing continued continue continues further additional least total
	dozens hundreds thousands number numbers figure figures people persons individuals residents
	citizens families relatives colleagues supporters participants organisers organiser
	blogger bloggers influencer posts post shared sharing comment comments message messages
	messenger channel channels account accounts users user content removed restricted throttled
	connection connectivity mobile data outage outages disrupted disruption disruptions
	telecommunications provider providers operator operators order orders instructions emergency
	measures pandemic restrictions curfew martial regime constitution constitutional referendum
	reform reforms policy policies draft adopted signed entered force came effect introduced
	proposed proposal proposals consultation consultations stakeholders dialogue space civic
	environment climate shrinking narrowing closing closed repressed obstructed open narrowed
	rating ratings downgraded upgraded watchlist decline deterioration pressure crackdown
	campaign campaigns solidarity support supported statement petition petitions signatures
	hunger exile exiled fled asylum abroad diaspora border travel passport
	charity foundation association's ngo ngos cso csos nonprofit nonprofits audit audits tax
	inspections inspection liquidated liquidation dissolved suspended suspension licence
	licences accreditation accredited revoked revocation register registry`)

// cyrillicWords are Russian and Kazakh words, so that full-text search has
// Cyrillic to find. "мирный" is absent: it appears only in a Phrase.
var cyrillicWords = strings.Fields(`Қазақстан свобода митинг журналист журналисты правозащитник
	правозащитники суд полиция задержание задержан протест протесты закон общество гражданский
	право права выборы цензура интернет блокировка активист активисты собрание объединение
	выражение Алматы Астана Жаңаөзен сөз бостандығы азаматтық қоғам жиналыс құқық наразылық
	тілші белсенді сот заң`)

// vocabulary is the ranked word list and its Zipf sampler.
type vocabulary struct {
	words    []string // in rank order
	capitals []string // the same words with an upper-case first letter
	// slots hold " word" padded to 32 bytes with its length in the last
	// byte, so that appending a word is one fixed-size copy.
	slots []wordSlot
	// table draws a word index from 32 random bits: the low 12 bits pick
	// an entry, whose low 20 bits are a threshold for the next 20 random
	// bits and whose high 12 bits the alias index (Walker's alias method
	// over 4096 entries, the ones past the vocabulary of weight 0).
	table [tableSize]uint32
}

type wordSlot [32]byte

const tableSize = 4096

const (
	pseudoWords = 3000
	// zipfS and zipfQ shape the word frequencies: weight(rank) = 1/(rank+q)^s.
	zipfS = 1.05
	zipfQ = 2.7
)

var vocab = buildVocabulary()

func buildVocabulary() *vocabulary {
	taken := map[string]bool{"peaceful": true, "detained": true, "shutdown": true, "мирный": true, "synthetic": true}
	var domain, cyr []string
	for _, w := range functionWords {
		taken[w] = true
	}
	for _, w := range domainWords {
		if !taken[w] {
			taken[w] = true
			domain = append(domain, w)
		}
	}
	for _, w := range cyrillicWords {
		if !taken[w] {
			taken[w] = true
			cyr = append(cyr, w)
		}
	}
	// Pseudo-words come from a fixed stream, the same in every build.
	r := rand.New(rand.NewPCG(0x63697669636d6f6e, 0x776f726473))
	pseudo := make([]string, 0, pseudoWords)
	for len(pseudo) < pseudoWords {
		w := pseudoWord(r, 2+r.IntN(3))
		if !taken[w] {
			taken[w] = true
			pseudo = append(pseudo, w)
		}
	}
	// Rank order: function words first, then domain words and pseudo-words
	// interleaved so the domain words stay the more frequent, with a
	// Cyrillic word every 40 ranks from rank 150 (about 2% of the running
	// text).
	words := append([]string(nil), functionWords...)
	di, pi, ci := 0, 0, 0
	for di < len(domain) || pi < len(pseudo) || ci < len(cyr) {
		rank := len(words)
		switch {
		case ci < len(cyr) && rank >= 150 && (rank-150)%40 == 0:
			words = append(words, cyr[ci])
			ci++
		case di < len(domain) && (pi >= len(pseudo) || rank%3 != 0 || rank > 900):
			words = append(words, domain[di])
			di++
		case pi < len(pseudo):
			words = append(words, pseudo[pi])
			pi++
		default:
			words = append(words, cyr[ci])
			ci++
		}
	}
	v := &vocabulary{words: words, capitals: make([]string, len(words))}
	weights := make([]float64, len(words))
	for i, w := range words {
		v.capitals[i] = capitalize(w)
		weights[i] = 1 / math.Pow(float64(i)+zipfQ, zipfS)
	}
	if len(words) > tableSize {
		panic("gen: vocabulary larger than the sampling table")
	}
	v.slots = make([]wordSlot, len(words))
	for i, w := range words {
		if len(w)+1 > len(wordSlot{})-1 {
			panic("gen: word too long for a slot: " + w)
		}
		copy(v.slots[i][1:], w)
		v.slots[i][0] = ' '
		v.slots[i][len(wordSlot{})-1] = byte(len(w) + 1)
	}
	padded := make([]float64, tableSize)
	copy(padded, weights)
	a := newAlias(padded)
	for i := range v.table {
		v.table[i] = a.alias[i]<<20 | a.prob[i]>>12
	}
	return v
}

// draw32 maps 32 random bits to a word index.
func (v *vocabulary) draw32(x uint32) int {
	e := v.table[x&(tableSize-1)]
	if x>>12 < e&(1<<20-1) {
		return int(x & (tableSize - 1))
	}
	return int(e >> 20)
}

var syllables = strings.Fields(`ka ri mo ta le vo na si du ber tol mar vin sal dra kor pel nu zi ro
	fa gu hen lis tam or el an ix ul ven dor mi sa te po lu gar nov tes bra kel zan qui`)

func pseudoWord(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	return b.String()
}

func capitalize(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[n:]
}

// places are synthetic place names for incidents.
var places = buildPlaces()

func buildPlaces() []string {
	r := rand.New(rand.NewPCG(0x706c61636573, 1))
	kinds := []string{"", "", "", " district", " square", " province", " city centre"}
	seen := map[string]bool{}
	var out []string
	for len(out) < 400 {
		name := capitalize(pseudoWord(r, 2+r.IntN(2))) + kinds[r.IntN(len(kinds))]
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// alias is Walker's alias method: one random 64-bit number draws an index
// from a fixed discrete distribution in constant time.
type alias struct {
	prob  []uint32 // scaled to 1<<32
	alias []uint32
}

func newAlias(weights []float64) alias {
	n := len(weights)
	var sum float64
	for _, w := range weights {
		sum += w
	}
	scaled := make([]float64, n)
	var small, large []int
	for i, w := range weights {
		scaled[i] = w * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	a := alias{prob: make([]uint32, n), alias: make([]uint32, n)}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.prob[s] = uint32(min(scaled[s]*(1<<32), math.MaxUint32))
		a.alias[s] = uint32(l)
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range append(small, large...) {
		a.prob[i] = math.MaxUint32
		a.alias[i] = uint32(i)
	}
	return a
}

// draw maps one uniform 64-bit number to an index.
func (a *alias) draw(x uint64) int {
	i := int((x & 0xffffffff) * uint64(len(a.prob)) >> 32)
	if uint32(x>>32) < a.prob[i] {
		return i
	}
	return int(a.alias[i])
}
