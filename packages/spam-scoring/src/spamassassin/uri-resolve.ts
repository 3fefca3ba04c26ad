/**
 * HTML.pm's resolution of a link against the document's `<base href>` (its `target_uri`, RFC
 * 2396's steps with its quirks: a relative URI of the base's scheme is taken as relative, and an
 * unschemed `//www...` authority gets `http:`). With no base, a URI comes back as it was, its
 * path's dot segments removed.
 */

interface ParsedUri {
  scheme?: string;
  authority?: string;
  path: string;
  query?: string;
  fragment?: string;
}

function parseUri(uri: string): ParsedUri {
  const m = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?/s.exec(uri)!;
  return { scheme: m[1], authority: m[2], path: m[3] ?? '', query: m[4], fragment: m[5] };
}

/**
 * HTML.pm's `_remove_dot_segments`, walked with an index rather than by cutting the string each
 * step (time linear in the path, which a link can make 8,192 octets long).
 */
function removeDotSegments(path: string): string {
  const input = path.replace(/^\.\.?\//, '/');
  const output: string[] = [];
  const pop = () => void output.pop();
  let i = 0;
  // Perl's `while ($input)`: a remainder of "0" is false too.
  while (i < input.length && !(input.length - i === 1 && input[i] === '0')) {
    const rest = input.length - i;
    if (input.startsWith('/./', i)) i += 2;
    else if (rest === 2 && input.startsWith('/.', i)) {
      output.push('/');
      break;
    } else if (input.startsWith('/../', i)) {
      i += 3;
      pop();
    } else if (rest === 3 && input.startsWith('/..', i)) {
      pop();
      output.push('/');
      break;
    } else {
      const end = input.indexOf('/', input[i] === '/' ? i + 1 : i);
      const stop = end < 0 ? input.length : end;
      output.push(input.slice(i, stop));
      i = stop;
    }
  }
  return output.join('');
}

function mergeUri(baseAuthority: string | undefined, basePath: string, path: string): string {
  if (baseAuthority !== undefined && basePath === '') return `/${path}`;
  return (basePath.includes('/') ? basePath.replace(/(?<![^/])[^/]*$/, '') : '') + path;
}

/** The absolute URI a link `relative` names in a document whose base is `base` ('' for none). */
export function targetUri(base: string, relative: string): string {
  const r = parseUri(relative);
  const b = parseUri(base);
  if (r.scheme !== undefined && b.scheme !== undefined && r.scheme === b.scheme)
    r.scheme = undefined;
  const t: ParsedUri = { path: '' };
  if (r.scheme !== undefined) {
    t.scheme = r.scheme;
    t.authority = r.authority;
    t.path = removeDotSegments(r.path);
    t.query = r.query;
  } else {
    if (r.authority !== undefined) {
      t.authority = r.authority;
      t.path = removeDotSegments(r.path);
      t.query = r.query;
    } else {
      if (r.path === '') {
        t.path = b.path;
        t.query = r.query ?? b.query;
      } else {
        t.path = removeDotSegments(
          r.path.startsWith('/') ? r.path : mergeUri(b.authority, b.path, r.path),
        );
        t.query = r.query;
      }
      t.authority = b.authority;
    }
    t.scheme = b.scheme;
  }
  t.fragment = r.fragment;
  let result = '';
  if (t.scheme) result += `${t.scheme}:`;
  else if (t.authority !== undefined) {
    if (/^www\d*\./i.test(t.authority)) result += 'http:';
    else if (/^ftp\d*\./i.test(t.authority)) result += 'ftp:';
  }
  if (t.authority !== undefined) result += `//${t.authority}`;
  result += t.path;
  if (t.query !== undefined) result += `?${t.query}`;
  if (t.fragment !== undefined) result += `#${t.fragment}`;
  return result;
}

/**
 * The base a `<base href>` sets, or null when browsers ignore it (not an absolute http(s) or
 * ftp URI): a trailing file name removed, a slash at the end.
 */
export function baseHrefOf(href: string): string | null {
  if (!/^(?:https?|ftp):\/{0,2}/i.test(href)) return null;
  const base = href.replace(/^([a-z]+:\/{0,2}[^/]+\/.*?)[^/.]+\.[^/.]{2,4}$/i, '$1');
  return base.endsWith('/') ? base : `${base}/`;
}
