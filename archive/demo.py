"""Demo content for trying the archive: films and photographs, subtitles in four languages, an exhibition and a
series, three venues with licences and approved screenings in the coming weeks.

The media is made on the spot (ffmpeg test pictures, Pillow colours), so nothing is downloaded.
Loading twice adds nothing new: the demo items are recognised by their titles.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import tempfile
from datetime import timedelta
from types import SimpleNamespace

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from archive.auth.models import Role, User
from archive.auth.permissions import STAFF
from archive.catalogue import operations as catalogue
from archive.catalogue.models import Collection, Item
from archive.errors import ValidationError
from archive.extensions import db
from archive.media.ffmpeg import default_tools
from archive.media.ingest import ingest
from archive.screenings import times
from archive.screenings.models import Screening, Venue
from archive.screenings.operations.booking import request_screening
from archive.screenings.operations.decisions import approve
from archive.screenings.operations.licences import create_licence
from archive.screenings.operations.refusals import Refused
from archive.screenings.operations.venues import create_venue
from archive.subtitles.operations import create_track
from archive.timeutil import utcnow


def _srt(*cues: tuple[str, str, str]) -> str:
    """An SRT document from (start, end, text) cues written as ``M:SS``."""
    def stamp(clock: str) -> str:
        minutes, seconds = clock.split(":")
        return f"00:{int(minutes):02d}:{int(seconds):02d},000"
    return "\n".join(f"{number}\n{stamp(start)} --> {stamp(end)}\n{text}\n" for number, (start, end, text)
                     in enumerate(cues, 1))


def _subtitles(times: list[tuple[str, str]], lines: dict[str, list[str]]) -> dict[str, str]:
    """The same cues in every language: ``times`` once, the sentences per language."""
    return {lang: _srt(*((start, end, text) for (start, end), text in zip(times, texts, strict=True)))
            for lang, texts in lines.items()}


RIVER_TIMES = [("0:01", "0:05"), ("0:08", "0:13"), ("0:18", "0:23"), ("0:30", "0:35"), ("0:45", "0:50")]
LETTERS_TIMES = [("0:02", "0:07"), ("0:10", "0:14"), ("0:20", "0:25"), ("0:32", "0:37"), ("0:40", "0:45")]
HOUSE_TIMES = [("0:03", "0:08"), ("0:15", "0:20"), ("0:40", "0:45"), ("1:05", "1:10"), ("1:50", "1:55")]
BREAD_TIMES = [("0:02", "0:06"), ("0:12", "0:17")]

FILMS = [
    {
        "title": {"en": "Two Banks of One River", "hy": "Մեկ գետի երկու ափ", "az": "Bir çayın iki sahili",
                  "ru": "Два берега одной реки"},
        "description": {"en": "Neighbours on both sides of a closed border remember the river they shared.",
                        "hy": "Փակ սահմանի երկու կողմերում ապրող հարևանները հիշում են իրենց ընդհանուր գետը։",
                        "az": "Bağlı sərhədin hər iki tərəfində yaşayan qonşular bir vaxtlar paylaşdıqları çayı xatırlayırlar.",
                        "ru": "Соседи по обе стороны закрытой границы вспоминают реку, которая когда-то была у них общей."},
        "year": 2021, "countries": ["AM", "AZ", "GE"], "languages": ["hy", "az", "ru"],
        "credits": [{"name": "Ani Petrosyan", "role": "director"}, {"name": "Rəşad Əliyev", "role": "camera"}],
        "themes": ["memory", "water"], "visibility": "public", "seconds": 75, "colours": ("0x1d3557", "0x6b2d0f"),
        "subtitles": _subtitles(RIVER_TIMES, {
            "en": ["We used to swim across the river.",
                   "In summer the water was low, and you could hear voices from the other bank.",
                   "My grandmother kept the key to a house on the other side.",
                   "The river does not know where the border is.",
                   "Maybe our children will meet on the bridge again."],
            "hy": ["Մենք լողալով անցնում էինք գետը։",
                   "Ամռանը ջուրը իջնում էր, և մյուս ափից ձայներ էին լսվում։",
                   "Տատիկս պահում էր մյուս ափի մի տան բանալին։",
                   "Գետը չգիտի, թե որտեղով է անցնում սահմանը։",
                   "Գուցե մեր երեխաները նորից հանդիպեն կամրջի վրա։"],
            "az": ["Biz çayı üzüb keçərdik.",
                   "Yayda su azalırdı və qarşı sahildən səslər eşidilirdi.",
                   "Nənəm o biri sahildəki bir evin açarını saxlayırdı.",
                   "Çay sərhədin haradan keçdiyini bilmir.",
                   "Bəlkə uşaqlarımız yenə körpünün üstündə görüşəcəklər."],
            "ru": ["Мы переплывали реку.",
                   "Летом вода спадала, и с того берега были слышны голоса.",
                   "Бабушка хранила ключ от дома на том берегу.",
                   "Река не знает, где проходит граница.",
                   "Может быть, наши дети снова встретятся на мосту."],
        }),
    },
    {
        "title": {"en": "Letters Across the Ridge", "hy": "Նամակներ լեռնաշղթայի վրայով",
                  "az": "Silsilənin o tayına məktublar", "ru": "Письма через хребет"},
        "description": {"en": "Two teachers, one in Armenia and one in Azerbaijan, read each other's letters aloud.",
                        "hy": "Երկու ուսուցչուհի՝ մեկը Հայաստանից, մյուսը Ադրբեջանից, բարձրաձայն կարդում են միմյանց նամակները։",
                        "az": "Biri Ermənistanda, digəri Azərbaycanda yaşayan iki müəllimə bir-birinin məktublarını səsli oxuyur.",
                        "ru": "Две учительницы, из Армении и из Азербайджана, читают вслух письма друг друга."},
        "year": 2019, "countries": ["AM", "AZ"], "languages": ["hy", "az"],
        "credits": [{"name": "Leyla Məmmədova", "role": "director"}, {"name": "Anahit Sargsyan", "role": "director"}],
        "themes": ["dialogue", "education"], "visibility": "public", "seconds": 50,
        "colours": ("0x2d4a3e", "0x8c6d1f"),
        "subtitles": _subtitles(LETTERS_TIMES, {
            "en": ["Dear Leyla, I am writing to you from the school where we both once taught.",
                   "The children ask me what the people on the other side are like.",
                   "I tell them: they wait for letters too, and they lose their keys too.",
                   "Dear Anahit, your letter took three months, but it arrived.",
                   "Let us keep talking, even when it is difficult."],
            "hy": ["Սիրելի Լեյլա, գրում եմ քեզ այն դպրոցից, որտեղ ժամանակին երկուսս էլ դասավանդում էինք։",
                   "Երեխաները հարցնում են ինձ, թե ինչպիսին են մյուս կողմի մարդիկ։",
                   "Ես պատասխանում եմ՝ նրանք էլ են նամակների սպասում, նրանք էլ են կորցնում իրենց բանալիները։",
                   "Սիրելի Անահիտ, քո նամակը երեք ամիս ճանապարհին էր, բայց հասավ։",
                   "Եկ շարունակենք զրուցել, նույնիսկ երբ դժվար է։"],
            "az": ["Əziz Leyla, sənə vaxtilə ikimizin də dərs dediyimiz məktəbdən yazıram.",
                   "Uşaqlar məndən o biri tərəfdəki insanların necə olduğunu soruşurlar.",
                   "Onlara deyirəm: onlar da məktub gözləyirlər, onlar da açarlarını itirirlər.",
                   "Əziz Anahit, məktubun üç ay yolda qaldı, amma gəlib çatdı.",
                   "Gəl danışmağa davam edək, çətin olanda belə."],
            "ru": ["Дорогая Лейла, пишу тебе из школы, где мы когда-то обе преподавали.",
                   "Дети спрашивают меня, какие они — люди по ту сторону.",
                   "Я отвечаю: они тоже ждут писем и тоже теряют ключи.",
                   "Дорогая Анаит, твоё письмо шло три месяца, но всё-таки дошло.",
                   "Давай продолжать разговор, даже когда это трудно."],
        }),
    },
    {
        "title": {"en": "The House with the Blue Door", "hy": "Կապույտ դռնով տունը", "az": "Mavi qapılı ev",
                  "ru": "Дом с синей дверью"},
        "description": {"en": "A family forced to leave its village visits the house where another displaced family now lives.",
                        "hy": "Իր գյուղը լքելու հարկադրված ընտանիքն այցելում է այն տունը, որտեղ այժմ ապրում է մեկ այլ տեղահանված ընտանիք։",
                        "az": "Kəndini tərk etməyə məcbur olmuş bir ailə indi başqa məcburi köçkün ailənin yaşadığı evə baş çəkir.",
                        "ru": "Семья, вынужденная покинуть своё село, приезжает в дом, где теперь живёт другая семья переселенцев."},
        "year": 2022, "countries": ["AZ", "GE"], "languages": ["az", "ru"],
        "credits": [{"name": "Nigar Hüseynova", "role": "director"}, {"name": "Giorgi Beridze", "role": "editor"}],
        "themes": ["displacement", "memory"], "visibility": "public", "seconds": 130,
        "colours": ("0x1f3f73", "0x3c6e91"),
        "subtitles": _subtitles(HOUSE_TIMES, {
            "en": ["We left in winter and took only what we could carry.",
                   "For years I dreamt of the blue door and the mulberry tree.",
                   "Another family lives there now. They too had to leave their home.",
                   "When we met, we did not speak of blame. We spoke of the tree.",
                   "Memory is the only house no one can take from us."],
            "hy": ["Մենք հեռացանք ձմռանը և վերցրինք միայն այն, ինչ կարող էինք տանել։",
                   "Տարիներ շարունակ երազումս տեսնում էի կապույտ դուռը և թթենին։",
                   "Հիմա այնտեղ մեկ այլ ընտանիք է ապրում։ Նրանք էլ ստիպված են եղել լքել իրենց տունը։",
                   "Երբ հանդիպեցինք, մեղքի մասին չխոսեցինք։ Խոսեցինք ծառի մասին։",
                   "Հիշողությունը միակ տունն է, որը ոչ ոք չի կարող խլել մեզնից։"],
            "az": ["Biz qışda köçdük və yalnız apara bildiyimizi götürdük.",
                   "İllərlə yuxumda mavi qapını və tut ağacını gördüm.",
                   "İndi orada başqa bir ailə yaşayır. Onlar da öz evlərini tərk etməli olublar.",
                   "Görüşəndə günahdan danışmadıq. Ağacdan danışdıq.",
                   "Yaddaş heç kimin bizdən ala bilməyəcəyi yeganə evdir."],
            "ru": ["Мы уехали зимой и взяли только то, что могли унести.",
                   "Годами мне снились синяя дверь и тутовое дерево.",
                   "Теперь там живёт другая семья. Им тоже пришлось покинуть свой дом.",
                   "Когда мы встретились, мы не говорили о вине. Мы говорили о дереве.",
                   "Память — единственный дом, который никто не может у нас отнять."],
        }),
    },
    {
        "title": {"en": "Bread and Salt", "hy": "Հաց ու աղ", "az": "Çörək və duz", "ru": "Хлеб и соль"},
        "description": {"en": "At a market table in Marneuli, Armenian, Azerbaijani and Georgian neighbours share a meal.",
                        "ru": "За рыночным столом в Марнеули соседи — армяне, азербайджанцы и грузины — делят трапезу."},
        "year": 2024, "countries": ["GE"], "languages": ["ru"],
        "credits": [{"name": "Nino Kapanadze", "role": "director"}],
        "themes": ["dialogue", "food"], "visibility": "public", "seconds": 30, "colours": ("0x5a2a27", "0xa0522d"),
        "subtitles": _subtitles(BREAD_TIMES, {
            "en": ["At the market in Marneuli people speak three languages.",
                   "Sit down, eat with us, and then we will argue."],
            "hy": ["Մառնեուլիի շուկայում մարդիկ խոսում են երեք լեզվով։",
                   "Նստեք, մեզ հետ հաց կերեք, հետո կվիճենք։"],
            "az": ["Marneuli bazarında insanlar üç dildə danışırlar.",
                   "Oturun, bizimlə çörək kəsin, sonra mübahisə edərik."],
            "ru": ["На рынке в Марнеули говорят на трёх языках.",
                   "Садитесь, поешьте с нами, а потом поспорим."],
        }),
    },
    {
        "title": {"en": "Unreleased interviews", "ru": "Неопубликованные интервью"},
        "description": {"en": "Restricted: people in these interviews could be at risk."},
        "year": 2023, "countries": ["AZ"], "languages": ["az", "ru"], "visibility": "restricted", "seconds": 6,
        "colours": ("0x333333", "0x555555"), "subtitles": {},
    },
]
PHOTOS = [
    {"title": {"en": "The old bridge", "hy": "Հին կամուրջը", "az": "Köhnə körpü", "ru": "Старый мост"}, "year": 2019,
     "languages": ["hy"], "colour": (70, 110, 160), "visibility": "public",
     "description": {"en": "The stone bridge below the village, closed since the early 1990s.",
                     "hy": "Գյուղի ներքևում գտնվող քարե կամուրջը, որը փակ է 1990-ականների սկզբից։",
                     "az": "Kəndin aşağısındakı daş körpü 1990-cı illərin əvvəlindən bağlıdır.",
                     "ru": "Каменный мост под селом, закрытый с начала 1990-х годов."}},
    {"title": {"en": "Market day", "ru": "Базарный день"}, "year": 2020, "languages": ["ru"],
     "colour": (190, 120, 50), "visibility": "partners"},
    {"title": {"en": "Fishermen at dawn", "hy": "Ձկնորսները լուսաբացին", "az": "Sübh çağı balıqçılar",
               "ru": "Рыбаки на рассвете"}, "year": 2018, "languages": ["az"], "colour": (214, 140, 96),
     "visibility": "public"},
    {"title": {"en": "Apricot harvest", "hy": "Ծիրանի բերքահավաք", "ru": "Сбор абрикосов"}, "year": 2020,
     "languages": ["hy"], "colour": (232, 160, 40), "visibility": "public",
     "description": {"hy": "Ամառային առավոտ Արարատյան դաշտում։", "en": "A summer morning in the Ararat valley.",
                     "ru": "Летнее утро в Араратской долине."}},
    {"title": {"en": "The empty school", "az": "Boş məktəb", "ru": "Пустая школа"}, "year": 2017,
     "languages": ["az"], "colour": (120, 128, 120), "visibility": "public"},
    {"title": {"en": "Grandmother's kitchen", "hy": "Տատիկի խոհանոցը", "az": "Nənəmin mətbəxi"}, "year": 2021,
     "languages": ["hy"], "colour": (150, 90, 70), "visibility": "public"},
    {"title": {"en": "A letter never sent", "hy": "Չուղարկված նամակ", "ru": "Неотправленное письмо"}, "year": 2016,
     "languages": ["ru"], "colour": (200, 190, 160), "visibility": "public",
     "description": {"ru": "Письмо 1992 года, найденное в книге на чердаке.",
                     "en": "A letter from 1992, found in a book in the attic.",
                     "az": "Çardaqdakı kitabın içində tapılmış 1992-ci il məktubu."}},
    {"title": {"en": "Teachers' meeting in Tbilisi", "hy": "Ուսուցիչների հանդիպումը Թբիլիսիում",
               "az": "Tbilisidə müəllimlərin görüşü", "ru": "Встреча учителей в Тбилиси"}, "year": 2023,
     "languages": ["en"], "colour": (60, 120, 110), "visibility": "public"},
    {"title": {"en": "The river in spring", "hy": "Գետը գարնանը", "az": "Yazda çay"}, "year": 2022,
     "languages": ["az"], "colour": (80, 140, 170), "visibility": "public"},
    {"title": {"en": "Keys on a string", "az": "İpə düzülmüş açarlar", "ru": "Ключи на верёвочке"}, "year": 2019,
     "languages": ["ru"], "colour": (110, 100, 140), "visibility": "public",
     "description": {"en": "Keys to houses their owners have not seen for thirty years.",
                     "az": "Sahiblərinin otuz ildir görmədiyi evlərin açarları.",
                     "ru": "Ключи от домов, которых их хозяева не видели тридцать лет."}},
    {"title": {"en": "Mulberry tree", "hy": "Թթենի", "az": "Tut ağacı", "ru": "Тутовое дерево"}, "year": 2015,
     "languages": ["hy"], "colour": (90, 130, 60), "visibility": "public"},
    {"title": {"en": "Tea after the screening", "hy": "Թեյ ցուցադրությունից հետո", "az": "Nümayişdən sonra çay",
               "ru": "Чай после показа"}, "year": 2024, "languages": ["en"], "colour": (170, 80, 60),
     "visibility": "public"},
]
COLLECTION = {"kind": "exhibition", "title": {"en": "Across the river", "hy": "Գետի այն կողմ",
                                              "az": "Çayın o tayında", "ru": "По ту сторону реки"},
              "description": {"en": "Films and photographs of life on both banks of a river that became a border.",
                              "hy": "Ֆիլմեր և լուսանկարներ սահման դարձած գետի երկու ափերի կյանքի մասին։",
                              "az": "Sərhədə çevrilmiş çayın hər iki sahilindəki həyat haqqında filmlər və fotoşəkillər.",
                              "ru": "Фильмы и фотографии о жизни на обоих берегах реки, ставшей границей."},
              "visibility": "public"}
VENUES = [
    {"name": "Gyumri Community Cinema", "city": "Gyumri", "country": "AM", "timezone": "Asia/Yerevan",
     "capacity": 80, "buffer_minutes": 30},
    {"name": "Ganja Youth House", "city": "Ganja", "country": "AZ", "timezone": "Asia/Baku", "capacity": 60,
     "buffer_minutes": 30},
    {"name": "Tbilisi Dialogue Hall", "city": "Tbilisi", "country": "GE", "timezone": "Asia/Tbilisi",
     "capacity": 120, "buffer_minutes": 30},
]
# (venue, film, days from today, local hour, subtitle language): approved public screenings still to come.
SCREENINGS = [
    (0, 0, 3, 19, "hy"), (1, 1, 5, 18, "az"), (2, 2, 7, 19, "ru"), (2, 3, 9, 17, "en"), (0, 2, 12, 19, "hy"),
    (1, 0, 14, 18, "az"),
]
SERIES = {"kind": "series", "title": {"en": "Conversations at the table", "hy": "Զրույցներ սեղանի շուրջ",
                                      "az": "Süfrə arxasında söhbətlər", "ru": "Разговоры за столом"},
          "visibility": "public"}
SERIES_TITLES = {"Letters Across the Ridge", "Bread and Salt", "Tea after the screening", "Teachers' meeting in Tbilisi"}
FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font(bold: bool = False) -> str | None:
    """A font with Armenian, Cyrillic and Azerbaijani letters, if the system has one."""
    path = FONTS[0] if bold else FONTS[1]
    return path if os.path.exists(path) else None


def _drawtext(textfile: str, size: int, y: str, colour: str, bold: bool = False) -> str:
    font = _font(bold)
    return (f"drawtext={'fontfile=' + font + ':' if font else ''}textfile={textfile}:fontsize={size}:"
            f"fontcolor={colour}:x=(w-text_w)/2:y={y}:shadowx=2:shadowy=2")


def _film_bytes(seconds: int = 4, title: dict | None = None, colours: tuple[str, str] = ("0x1d3557", "0x6b2d0f"),
                languages: list | None = None) -> bytes:
    """A test film showing its title (the original language's and the English) over a moving gradient.

    Without drawtext (an ffmpeg built without FreeType) it falls back to colour bars.
    """
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "demo.mp4")
        audio = ["-f", "lavfi", "-i", f"sine=frequency=220:duration={seconds}"]
        encode = ["-c:v", "libx264", "-preset", "ultrafast", "-g", "24", "-pix_fmt", "yuv420p", "-c:a", "aac",
                  "-b:a", "64k", "-shortest", path]
        base = [default_tools().ffmpeg, "-hide_banner", "-loglevel", "error", "-y"]
        try:
            if not title:
                raise subprocess.CalledProcessError(1, "no title")
            original = next((title[lang] for lang in languages or () if lang in title), title["en"])
            lines = [original] if original == title["en"] else [original, title["en"]]
            filters = [f"gradients=s=640x360:r=12:d={seconds}:c0={colours[0]}:c1={colours[1]}:speed=0.01:n=2"]
            for number, line in enumerate(lines):
                textfile = os.path.join(work, f"line{number}.txt")
                with open(textfile, "w", encoding="utf-8") as handle:
                    handle.write(line)
                filters.append(_drawtext(textfile, 32 if number == 0 else 24,
                                         "h/2-50" if number == 0 else "h/2+10", "white" if number == 0 else "0xf1e6d2",
                                         bold=number == 0))
            subprocess.run(  # noqa: S603 (fixed arguments, the configured ffmpeg)
                [*base, "-f", "lavfi", "-i", ",".join(filters), *audio, *encode], check=True, timeout=120,
                capture_output=True,
            )
        except subprocess.CalledProcessError:
            subprocess.run(  # noqa: S603 (fixed arguments, the configured ffmpeg)
                [*base, "-f", "lavfi", "-i", f"testsrc2=duration={seconds}:size=640x360:rate=12", *audio, *encode],
                check=True, timeout=120,
            )
        with open(path, "rb") as handle:
            return handle.read()


def _photo_bytes(colour: tuple[int, int, int], label: str) -> bytes:
    """A landscape-like picture (sky, sun, hills, a river) in ``colour`` with its caption, as a JPEG."""
    width, height = 1200, 800
    shape = random.Random(label)  # noqa: S311 (shapes, not secrets: the same caption draws the same picture)
    picture = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(picture)
    r, g, b = colour
    for row in range(height):  # a sky fading towards the horizon
        shade = min(row / (height / 2), 1) * .5
        draw.line([(0, row), (width, row)], fill=(int(r + (255 - r) * shade), int(g + (255 - g) * shade),
                                                 int(b + (255 - b) * shade)))
    sun_x, sun_y = shape.randint(150, 1050), shape.randint(120, 260)
    draw.ellipse([(sun_x - 50, sun_y - 50), (sun_x + 50, sun_y + 50)], fill=(255, 236, 190))
    hills = [(0, 800), (0, shape.randint(330, 460))]
    hills += [(x, shape.randint(260, 460)) for x in range(150, 1200, 150)] + [(1200, shape.randint(330, 460)), (1200, 800)]
    draw.polygon(hills, fill=(int(r * .45), int(g * .55), int(b * .45)))
    bank = shape.randint(560, 640)
    draw.polygon([(0, bank), (400, bank - 60), (800, bank - 20), (1200, bank - 80), (1200, bank), (800, bank + 70),
                  (400, bank + 30), (0, bank + 100)], fill=(200, 220, 235))
    font_path = _font(bold=True)
    font = ImageFont.truetype(font_path, 72) if font_path else ImageFont.load_default()
    lines, line = [], ""
    for word in label.split():  # wrap the caption to the picture's width
        wider = f"{line} {word}".strip()
        if line and draw.textlength(wider, font=font) > width - 120:
            lines.append(line)
            line = word
        else:
            line = wider
    draw.multiline_text((60, 60), "\n".join([*lines, line]), fill=(255, 255, 255), font=font, spacing=12,
                        stroke_width=3, stroke_fill=(40, 40, 40))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def _existing(title: dict) -> Item | None:
    for item in db.session.scalars(select(Item)):
        if item.title.get("en") == title["en"]:
            return item
    return None


def load_demo(by=None) -> dict:
    """Create the demo catalogue (skipping what exists) and queue its processing; return counts."""
    made = {"items": 0, "subtitles": 0, "venues": 0, "screenings": 0}
    exhibition = _collection(COLLECTION)
    series = _collection(SERIES)
    for film in FILMS:
        if _existing(film["title"]):
            continue
        fields = {k: v for k, v in film.items() if k not in ("subtitles", "seconds", "colours")}
        collections = [exhibition.id] + ([series.id] if film["title"]["en"] in SERIES_TITLES else [])
        item = catalogue.create_item({"kind": "film", **fields, "collections": collections}, created_by=by)
        # Each film's bytes differ (title, length), so the duplicate check never merges two demo films.
        item.duration_seconds = float(film["seconds"])  # known already; processing measures it again
        db.session.commit()
        video = _film_bytes(film["seconds"], film["title"], film["colours"], film["languages"])
        ingest(item, io.BytesIO(video), "demo-film.mp4", uploaded_by=by)
        for lang, text in film["subtitles"].items():
            create_track(item, lang, text.encode("utf-8"), f"{lang}.srt", created_by=by)
            made["subtitles"] += 1
        if film["visibility"] == "public":
            year = utcnow().year
            create_licence(item, {"territories": ["AM", "AZ", "GE"], "starts_on": f"{year - 1}-01-01",
                                  "ends_on": f"{year + 4}-12-31", "uses": ["non-commercial"]})
        made["items"] += 1
    for photo in PHOTOS:
        if _existing(photo["title"]):
            continue
        collections = [exhibition.id] + ([series.id] if photo["title"]["en"] in SERIES_TITLES else [])
        fields = {k: v for k, v in photo.items() if k != "colour"}
        item = catalogue.create_item({"kind": "photo", **fields, "collections": collections}, created_by=by)
        caption = next((photo["title"][lang] for lang in photo["languages"] if lang in photo["title"]),
                       photo["title"]["en"])
        ingest(item, io.BytesIO(_photo_bytes(photo["colour"], caption)), "demo-photo.jpg", uploaded_by=by)
        made["items"] += 1
    made["venues"] = _demo_venues()
    made["screenings"] = _demo_screenings(by)
    return made


def _collection(fields: dict) -> Collection:
    found = next((c for c in db.session.scalars(select(Collection)) if c.title.get("en") == fields["title"]["en"]), None)
    return found or catalogue.create_collection(fields)


def _demo_venues() -> int:
    """Three venues, in Armenia, Azerbaijan and Georgia."""
    made = 0
    for fields in VENUES:
        if db.session.scalar(select(Venue).where(Venue.name == fields["name"])) is None:
            create_venue(fields)
            made += 1
    return made


def _actor(by):
    """Who books and approves the demo screenings: the loading account if staff, else the first admin, else
    a stand-in archivist (the demo is loaded from the command line by an operator)."""
    if by is not None and getattr(by, "role", None) in STAFF:
        return by
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN.value).order_by(User.id).limit(1))
    return admin or SimpleNamespace(id=None, role=Role.ARCHIVIST.value, is_authenticated=True)


def _demo_screenings(by) -> int:
    """Approved public screenings in the coming weeks, at each venue's local evening hours."""
    actor = _actor(by)
    made = 0
    for venue_number, film_number, days, hour, subtitles in SCREENINGS:
        venue = db.session.scalar(select(Venue).where(Venue.name == VENUES[venue_number]["name"]))
        film = _existing(FILMS[film_number]["title"])
        if venue is None or film is None:
            continue
        if db.session.scalar(select(Screening.id).where(Screening.venue_id == venue.id,
                                                        Screening.item_id == film.id).limit(1)) is not None:
            continue
        local_day = times.to_local(utcnow(), times.zone(venue.timezone)).date() + timedelta(days=days)
        try:
            screening = request_screening({
                "venue_id": venue.id, "item_id": film.id, "starts_at": f"{local_day.isoformat()}T{hour:02d}:00",
                "subtitle_lang": subtitles, "audio_lang": film.languages[0] if film.languages else None,
                "discussion_minutes": 45, "expected_audience": min(40, venue.capacity or 40),
                "notes": "Demo screening followed by a discussion.",
            }, actor)
            approve(screening, actor, "Demo: approved.")
        except (Refused, ValidationError):  # a clash or licence rule of a changed demo database: leave it out
            db.session.rollback()
            continue
        made += 1
    return made
