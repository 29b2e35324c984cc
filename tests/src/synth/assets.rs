//! The typed links of a synthetic page (everything but its anchors), and the asset files of a
//! site generated with assets.
//!
//! Every page has a few: the site stylesheet, its canonical URL, the logo and the site script
//! (written by `render` since the first version of the generator, so the site without assets is
//! the same as ever). With assets, each page also gets its section's stylesheet and script and
//! two article images with a `srcset` (1x and 2x), picked from a pool of [`IMAGE_POOL`]
//! images, as a real site's pages share their theme files and hold their own pictures.
//!
//! [`typed_links`] is the one list both the renderer and the expected graph take these links
//! from, so they cannot drift apart. Every href is root-relative: it is also its normalised
//! path.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use super::plan::{page_path, Site, SECTION};
use super::rng::Rng;

/// Distinct article images of a site with assets (each also has a `@2x` file).
pub(crate) const IMAGE_POOL: usize = 1000;

/// One typed link: its href (a root-relative path) and its kind, as `crawl --tsv-kind` names
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypedLink {
    pub(crate) href: String,
    pub(crate) kind: &'static str,
}

/// The typed links of page `i`, in document order. The article images come in pairs of
/// `src`/`srcset`: the 1x candidate is the `src` itself (one edge), the 2x one its `@2x` file.
pub(crate) fn typed_links(site: &Site, i: usize) -> Vec<TypedLink> {
    let link = |href: String, kind| TypedLink { href, kind };
    let mut links = vec![
        link("/static/site.css".to_owned(), "stylesheet"),
        link(page_path(i), "canonical"),
    ];
    let section = i / SECTION;
    if site.assets {
        links.push(link(format!("/assets/css/sec{section}.css"), "stylesheet"));
        links.push(link(format!("/assets/js/sec{section}.js"), "embed"));
    }
    links.push(link("/static/logo.png".to_owned(), "embed"));
    if site.assets {
        for image in images(site, i) {
            links.push(link(format!("/assets/img/{image}.png"), "embed"));
            links.push(link(format!("/assets/img/{image}@2x.png"), "embed"));
        }
    }
    links.push(link("/static/app.js".to_owned(), "embed"));
    links
}

/// The two pool images of page `i`'s article (distinct).
pub(crate) fn images(site: &Site, i: usize) -> [usize; 2] {
    let mut rng = Rng::new(site.seed ^ 0x696d_6167_6573, i as u64);
    let first = rng.below(IMAGE_POOL);
    let second = (first + 1 + rng.below(IMAGE_POOL - 1)) % IMAGE_POOL;
    [first, second]
}

/// The head tags of page `i`'s section assets (stylesheet, then deferred script).
pub(crate) fn head_tags(i: usize) -> String {
    let section = i / SECTION;
    format!(
        "<link rel=\"stylesheet\" href=\"/assets/css/sec{section}.css\">\n\
         <script src=\"/assets/js/sec{section}.js\" defer></script>\n"
    )
}

/// The figures of page `i`'s article images.
pub(crate) fn figures(site: &Site, i: usize) -> String {
    let mut out = String::new();
    for image in images(site, i) {
        let _ = writeln!(
            out,
            "<figure><img src=\"/assets/img/{image}.png\" \
             srcset=\"/assets/img/{image}.png 1x, /assets/img/{image}@2x.png 2x\" \
             alt=\"figure {image}\" width=\"640\" height=\"360\" loading=\"lazy\">\
             <figcaption>Figure {image}</figcaption></figure>"
        );
    }
    out
}

/// Writes the asset files of a site of `pages` pages under `root`: the section stylesheets and
/// scripts and the image pool, plus the `/static/` files every page names. Returns the number
/// of files written.
pub(crate) fn write_files(root: &Path, pages: usize) -> io::Result<usize> {
    let mut written = 0;
    let mut write = |path: &str, body: &[u8]| {
        let file = root.join(path);
        if let Some(parent) = file.parent() {
            fs::create_dir_all(parent)?;
        }
        written += 1;
        fs::write(file, body)
    };
    write("static/site.css", b"body{margin:0}\n")?;
    write("static/app.js", b"window.app=true;\n")?;
    write("static/logo.png", PNG)?;
    for section in 0..pages.div_ceil(SECTION) {
        let css = format!(
            ".sec{section} h1{{color:#{:06x}}}\n",
            section * 2654 % 0xff_ffff
        );
        write(&format!("assets/css/sec{section}.css"), css.as_bytes())?;
        let js = format!("window.section={section};\n");
        write(&format!("assets/js/sec{section}.js"), js.as_bytes())?;
    }
    for image in 0..IMAGE_POOL {
        write(&format!("assets/img/{image}.png"), PNG)?;
        write(&format!("assets/img/{image}@2x.png"), PNG)?;
    }
    Ok(written)
}

/// A 1x1 transparent PNG.
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\
\0\0\0\rIDATx\x9cc\xf8\x0f\x04\0\x09\xfb\x03\xfd\xe3U\xf2\x9c\0\0\0\0IEND\xaeB`\x82";
