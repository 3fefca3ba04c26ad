import type { SaConfig } from './cf-parser.js';

/**
 * The ReplaceTags plugin: `<A>` in a listed rule's pattern becomes `replace_tag A`'s text;
 * `<pre P>`, `<post P>` and `<inter I>` put `replace_pre`/`replace_post` text around each tag and
 * `replace_inter` text between adjacent tags. Up to five passes, for tags whose text holds tags,
 * as the plugin does.
 */
export function replaceTags(pattern: string, config: SaConfig): string {
  let re = pattern;
  for (let pass = 0; pass <= 5; pass++) {
    let again = false;
    let pre: string | undefined;
    let post: string | undefined;
    let inter: string | undefined;
    re = re.replace(
      /<pre ([^<>]+?)>/,
      (_, name: string) => ((pre = config.replacePre.get(name)), ''),
    );
    re = re.replace(
      /<post ([^<>]+?)>/,
      (_, name: string) => ((post = config.replacePost.get(name)), ''),
    );
    re = re.replace(
      /<inter ([^<>]+?)>/,
      (_, name: string) => ((inter = config.replaceInter.get(name)), ''),
    );
    const pieces = re.split(/(<[^<>]+>)/);
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      const tag = /^<([^<>]+)>$/.exec(piece);
      if (!tag) {
        // An empty piece between two tags is where `inter` goes.
        if (piece === '' && inter && i > 0 && i < pieces.length - 1) pieces[i] = inter;
        continue;
      }
      const replacement = config.replaceTags.get(tag[1]!);
      if (!replacement) continue;
      if (/<[^>]+>/.test(replacement)) again = true;
      pieces[i] = `${pre ?? ''}${replacement}${post ?? ''}`;
    }
    re = pieces.join('');
    if (!again) break;
  }
  return re;
}
