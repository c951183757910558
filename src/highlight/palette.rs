//! Code colours readable on the code background: a theme colour with less than WCAG's 4.5:1
//! contrast is darkened (on a light background) or lightened (on a dark one) in OKLCH, keeping its
//! hue and as much of its chroma as sRGB allows, just until it reaches the contrast. Colours that
//! already pass are kept, so a theme keeps its look.

use syntect::highlighting::{Color, Theme};

/// Aimed a little above WCAG 2's minimum for normal text (4.5:1, success criterion 1.4.3, level
/// AA), so that no checker's rounding puts a colour under it.
const TARGET: f64 = 4.6;

/// `theme` with every foreground readable on `background` (the page's code background), and
/// every scope that has its own background made readable under its text.
pub fn readable_theme(theme: &Theme, background: Color) -> Theme {
    let mut theme = theme.clone();
    let text = theme
        .settings
        .foreground
        .map(|fg| readable(over(fg, background), background));
    theme.settings.foreground = text;
    for item in &mut theme.scopes {
        let style = &mut item.style;
        match style.background {
            Some(own) => {
                let own = over(own, background);
                let fg = style.foreground.or(text).map(|fg| over(fg, own));
                if let Some(fg) = fg {
                    style.foreground = Some(fg);
                    style.background = Some(readable(own, fg));
                }
            }
            None => {
                style.foreground = style
                    .foreground
                    .map(|fg| readable(over(fg, background), background));
            }
        }
    }
    theme
}

/// The WCAG 2 contrast ratio of two opaque colours, from 1 to 21.
pub fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `color` moved in lightness, away from `against`, to the nearest colour with [`TARGET`]
/// contrast; unchanged when it already has it.
fn readable(color: Color, against: Color) -> Color {
    if contrast(color, against) >= TARGET {
        return color;
    }
    let [l, c, h] = oklch(color);
    // Below this luminance black text reads worse than white, so the colour goes lighter.
    let darker = luminance(against) > 0.179;
    let end = if darker { 0.0 } else { 1.0 };
    let at = |t: f64| from_oklch(l + (end - l) * t, c, h);
    let (mut low, mut high) = (0.0, 1.0);
    for _ in 0..40 {
        let mid = (low + high) / 2.0;
        if contrast(at(mid), against) >= TARGET {
            high = mid;
        } else {
            low = mid;
        }
    }
    at(high)
}

/// `color` composited over `background` (theme colours may be translucent).
fn over(color: Color, background: Color) -> Color {
    let alpha = f64::from(color.a) / 255.0;
    let mix = |top: u8, bottom: u8| {
        (f64::from(top) * alpha + f64::from(bottom) * (1.0 - alpha)).round() as u8
    };
    Color {
        r: mix(color.r, background.r),
        g: mix(color.g, background.g),
        b: mix(color.b, background.b),
        a: 0xff,
    }
}

/// Relative luminance as WCAG 2 defines it.
fn luminance(color: Color) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)
}

fn to_linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn from_linear(c: f64) -> f64 {
    if c <= 0.003_130_8 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// OKLCH (lightness, chroma, hue in radians) of an sRGB colour.
fn oklch(color: Color) -> [f64; 3] {
    let (r, g, b) = (to_linear(color.r), to_linear(color.g), to_linear(color.b));
    let l = (0.412_221_470_8 * r + 0.536_332_536_3 * g + 0.051_445_992_9 * b).cbrt();
    let m = (0.211_903_498_2 * r + 0.680_699_545_1 * g + 0.107_396_956_6 * b).cbrt();
    let s = (0.088_302_461_9 * r + 0.281_718_837_6 * g + 0.629_978_700_5 * b).cbrt();
    let lightness = 0.210_454_255_3 * l + 0.793_617_785 * m - 0.004_072_046_8 * s;
    let a = 1.977_998_495_1 * l - 2.428_592_205 * m + 0.450_593_709_9 * s;
    let b = 0.025_904_037_1 * l + 0.782_771_766_2 * m - 0.808_675_766 * s;
    [lightness, a.hypot(b), b.atan2(a)]
}

/// Linear sRGB of an OKLCH colour, possibly outside the sRGB gamut.
fn linear_rgb(lightness: f64, chroma: f64, hue: f64) -> [f64; 3] {
    let (a, b) = (chroma * hue.cos(), chroma * hue.sin());
    let l = (lightness + 0.396_337_777_4 * a + 0.215_803_757_3 * b).powi(3);
    let m = (lightness - 0.105_561_345_8 * a - 0.063_854_172_8 * b).powi(3);
    let s = (lightness - 0.089_484_177_5 * a - 1.291_485_548 * b).powi(3);
    [
        4.076_741_662_1 * l - 3.307_711_591_3 * m + 0.230_969_929_2 * s,
        -1.268_438_004_6 * l + 2.609_757_401_1 * m - 0.341_319_396_5 * s,
        -0.004_196_086_3 * l - 0.703_418_614_7 * m + 1.707_614_701 * s,
    ]
}

/// The sRGB colour of an OKLCH lightness and hue, with the chroma reduced until it fits sRGB.
fn from_oklch(lightness: f64, chroma: f64, hue: f64) -> Color {
    let fits = |c: f64| {
        linear_rgb(lightness, c, hue)
            .iter()
            .all(|v| (-1e-9..=1.0 + 1e-9).contains(v))
    };
    let chroma = if fits(chroma) {
        chroma
    } else {
        let (mut low, mut high) = (0.0, chroma);
        for _ in 0..30 {
            let mid = (low + high) / 2.0;
            if fits(mid) {
                low = mid;
            } else {
                high = mid;
            }
        }
        low
    };
    let [r, g, b] = linear_rgb(lightness, chroma, hue)
        .map(|v| (from_linear(v.clamp(0.0, 1.0)) * 255.0).round());
    Color {
        r: r as u8,
        g: g as u8,
        b: b as u8,
        a: 0xff,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG 2's minimum contrast for normal text.
    const MIN_CONTRAST: f64 = 4.5;

    fn hex(text: &str) -> Color {
        let value = u32::from_str_radix(text.trim_start_matches('#'), 16).unwrap();
        Color {
            r: (value >> 16) as u8,
            g: (value >> 8) as u8,
            b: value as u8,
            a: 0xff,
        }
    }

    #[test]
    fn contrast_matches_wcag_examples() {
        assert!((contrast(hex("#000000"), hex("#ffffff")) - 21.0).abs() < 1e-9);
        assert!((contrast(hex("#777777"), hex("#ffffff")) - 4.48).abs() < 0.01);
        assert!((contrast(hex("#595959"), hex("#ffffff")) - 7.0).abs() < 0.01);
        assert_eq!(contrast(hex("#123456"), hex("#123456")), 1.0);
    }

    #[test]
    fn oklch_round_trips_srgb() {
        for color in [
            "#a626a4", "#50a14f", "#0184bc", "#e5c07b", "#000000", "#ffffff",
        ] {
            let [l, c, h] = oklch(hex(color));
            assert_eq!(from_oklch(l, c, h), hex(color), "{color}");
        }
    }

    #[test]
    fn pale_colours_move_just_far_enough_and_keep_their_hue() {
        let light = hex("#f4f5f7");
        let green = hex("#50a14f");
        let fixed = readable(green, light);
        assert!(contrast(fixed, light) >= TARGET, "{fixed:?}");
        assert!(
            contrast(fixed, light) < TARGET + 0.15,
            "{fixed:?} moved too far"
        );
        assert!(
            fixed.g > fixed.r && fixed.g > fixed.b,
            "{fixed:?} is no longer green"
        );
        let dark = hex("#1d2026");
        let grey = hex("#5c6370");
        let lighter = readable(grey, dark);
        assert!(luminance(lighter) > luminance(grey));
        assert!(contrast(lighter, dark) >= TARGET);
        let keep = hex("#383a42");
        assert_eq!(readable(keep, light), keep);
    }

    #[test]
    fn translucent_colours_are_judged_on_the_background() {
        let half = Color {
            a: 0x80,
            ..hex("#000000")
        };
        assert_eq!(over(half, hex("#ffffff")), hex("#7f7f7f"));
    }

    /// A colour of the generated CSS (`#rrggbb`); anything else fails the test, so that no colour
    /// goes unchecked.
    fn css_colour(declarations: &str, property: &str) -> Option<Color> {
        let value = declarations
            .split(';')
            .filter_map(|d| d.split_once(':'))
            .find(|(name, _)| name.trim() == property)?
            .1
            .trim();
        assert!(
            value.len() == 7 && value.starts_with('#'),
            "{property}: {value} is not #rrggbb"
        );
        Some(hex(value))
    }

    #[test]
    fn every_colour_of_the_generated_css_has_aa_contrast() {
        let tokens = include_str!("../../themes/default/static/css/tokens.css");
        let light_block = tokens.split(":root[data-theme=\"dark\"]").next().unwrap();
        assert!(
            light_block.contains("--code-bg: #f4f5f7;"),
            "light --code-bg moved"
        );
        assert_eq!(
            tokens.matches("--code-bg: #1d2026;").count(),
            2,
            "dark --code-bg moved"
        );
        assert_eq!(super::super::LIGHT_CODE_BACKGROUND, hex("#f4f5f7"));
        assert_eq!(super::super::DARK_CODE_BACKGROUND, hex("#1d2026"));

        let css = super::super::Highlighter::new().css();
        let mut lowest = [f64::MAX, f64::MAX];
        let mut checked = [0, 0];
        for rule in css.lines().filter(|l| l.contains('{') && l.contains('}')) {
            let (selectors, rest) = rule.split_once('{').unwrap();
            let declarations = rest.split('}').next().unwrap();
            let dark = selectors.contains("html[data-theme=\"dark\"]")
                || selectors.contains("html:not([data-theme=\"light\"])");
            let code = if dark { hex("#1d2026") } else { hex("#f4f5f7") };
            let Some(fg) = css_colour(declarations, "color") else {
                continue;
            };
            let bg = css_colour(declarations, "background-color").unwrap_or(code);
            let ratio = contrast(fg, bg);
            assert!(
                ratio >= MIN_CONTRAST,
                "{ratio:.2}:1 is under {MIN_CONTRAST}:1 in `{}`",
                rule.trim()
            );
            let scheme = usize::from(dark);
            lowest[scheme] = lowest[scheme].min(ratio);
            checked[scheme] += 1;
        }
        assert!(
            checked[0] > 40 && checked[1] > 40,
            "{checked:?} rules checked"
        );
        println!(
            "lowest contrast: light {:.2}:1, dark {:.2}:1",
            lowest[0], lowest[1]
        );
    }
}
