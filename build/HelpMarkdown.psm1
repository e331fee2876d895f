<#
    Reads the module's help markdown: PlatyPS-style cmdlet pages (docs/cmdlets/<Name>.md) and the
    about topic (docs/about_AltinnApp.md). build/New-MamlHelp.ps1 turns what this reads into MAML and
    about_AltinnApp.help.txt; tests/Pester/Help.Tests.ps1 reads the pages with it too, so the test and
    the build agree on what a page says.

    Markdown is turned into what a console shows well: paragraphs as flowing text, lists one item a
    line, fenced code kept line for line (indented), tables aligned, and no inline markup (`code`,
    **bold**, [links](...)).
#>
Set-StrictMode -Version 3.0

$script:Fence = '^\s*(```|~~~)'
$script:ListItem = '^(\s*)([-*+]|\d+[.)])\s+(.*)$'

<# Inline markdown as plain text: `code` -> code, **b** -> b, [text](url) -> text (url) or text. #>
function ConvertTo-PlainInline {
    param([AllowEmptyString()] [string] $Text)
    $t = [regex]::Replace($Text, '!?\[([^\]]+)\]\(([^)]*)\)', {
            param($m)
            $label = $m.Groups[1].Value; $url = $m.Groups[2].Value.Trim()
            if ($url -match '^https?://' -and $url -ne $label) { "$label ($url)" } else { $label }
        })
    $t = [regex]::Replace($t, '``\s?(.+?)\s?``|`([^`]+)`', { param($m) if ($m.Groups[1].Success) { $m.Groups[1].Value } else { $m.Groups[2].Value } })
    $t = [regex]::Replace($t, '(?<![\w*])(\*\*|__)(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])', '$2')
    $t = [regex]::Replace($t, '(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])', '$1')
    $t -replace '<br\s*/?>', ' '
}

function Format-Table([string[]] $Rows) {
    $cells = foreach ($row in $Rows) {
        if ($row -match '^\s*\|?\s*:?-{3,}') { continue }   # the |---|---| separator
        , @(($row.Trim().Trim('|') -split '(?<!\\)\|') | ForEach-Object { ConvertTo-PlainInline $_.Trim().Replace('\|', '|') })
    }
    $cells = @($cells)
    if (-not $cells.Count) { return '' }
    $columns = ($cells | ForEach-Object { $_.Count } | Measure-Object -Maximum).Maximum
    $widths = foreach ($c in 0..($columns - 1)) { ($cells | ForEach-Object { if ($c -lt $_.Count) { $_[$c].Length } else { 0 } } | Measure-Object -Maximum).Maximum }
    $lines = foreach ($row in $cells) {
        $parts = for ($c = 0; $c -lt $columns; $c++) { $v = if ($c -lt $row.Count) { $row[$c] } else { '' }; if ($c -lt $columns - 1) { $v.PadRight($widths[$c]) } else { $v } }
        ($parts -join '  ').TrimEnd()
    }
    $lines -join "`n"
}

<#
Markdown as console paragraphs. Each result is one of: prose (one line; the console wraps it), a list
(one item a line, '- ' kept), code (line for line, indented by -CodeIndent), a table (aligned columns).
Get-Help trims the start of every MAML paragraph, so code there is not indented; the about topic,
printed verbatim, indents it.
#>
function ConvertTo-HelpParagraph {
    param([AllowEmptyString()] [string] $Markdown, [int] $CodeIndent = 0)
    $paragraphs = [Collections.Generic.List[string]]::new()
    $lines = @(($Markdown -replace "`r", '') -split "`n")
    $prose = [Collections.Generic.List[string]]::new()
    $items = [Collections.Generic.List[string]]::new()
    $flush = {
        if ($prose.Count) { $paragraphs.Add((ConvertTo-PlainInline ($prose -join ' '))); $prose.Clear() }
        if ($items.Count) { $paragraphs.Add(($items | ForEach-Object { ConvertTo-PlainInline $_ }) -join "`n"); $items.Clear() }
    }
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($line -match $script:Fence) {
            & $flush
            $code = [Collections.Generic.List[string]]::new()
            for ($i++; $i -lt $lines.Count -and $lines[$i] -notmatch $script:Fence; $i++) { $code.Add($lines[$i]) }
            if ($code.Count) { $paragraphs.Add((($code | ForEach-Object { if ($_.Trim()) { (' ' * $CodeIndent) + $_ } else { '' } }) -join "`n")) }
            continue
        }
        if (-not $line.Trim()) { & $flush; continue }
        if ($line -match '^\s*\|') {
            & $flush
            $rows = [Collections.Generic.List[string]]::new()
            for (; $i -lt $lines.Count -and $lines[$i] -match '^\s*\|'; $i++) { $rows.Add($lines[$i]) }
            $i--
            $paragraphs.Add((Format-Table $rows))
            continue
        }
        if ($line -match '^#{1,6}\s+(.*)$') { & $flush; $paragraphs.Add((ConvertTo-PlainInline $Matches[1].Trim())); continue }
        $item = [regex]::Match($line, $script:ListItem)
        if ($item.Success) {
            if ($prose.Count) { & $flush }
            $indent = ' ' * [math]::Min(8, $item.Groups[1].Value.Length)
            $marker = $item.Groups[2].Value
            $bullet = if ($marker -match '^\d') { $marker } else { '-' }
            $items.Add("$indent$bullet $($item.Groups[3].Value.Trim())")
            continue
        }
        if ($items.Count) { $items[$items.Count - 1] += ' ' + $line.Trim() } else { $prose.Add($line.Trim()) }
    }
    & $flush
    $paragraphs.ToArray()
}

<# The YAML block PlatyPS writes under each parameter, as a hashtable (Type, Default value, ...). #>
function Read-ParameterYaml([string] $Text) {
    $yaml = @{}
    $m = [regex]::Match($Text, '(?s)```ya?ml\s*\n(.*?)\n\s*```')
    if ($m.Success) {
        foreach ($l in $m.Groups[1].Value -split "`n") {
            if ($l -match '^\s*([^:]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() }
        }
    }
    $yaml
}

<#
Reads one PlatyPS-style cmdlet page. Sections are kept as markdown; the caller converts them with
ConvertTo-HelpParagraph. Examples split into Title, Code (the first fenced block) and Remarks (the rest).
#>
function Read-CmdletHelpPage {
    param([Parameter(Mandatory)] [string] $Path)
    $page = [ordered]@{
        Path = $Path; Name = $null; Synopsis = ''; Description = ''; Notes = ''; OnlineVersion = $null
        Examples = [Collections.Generic.List[object]]::new()
        Parameters = [ordered]@{}
        Inputs = [Collections.Generic.List[object]]::new()
        Outputs = [Collections.Generic.List[object]]::new()
        Links = [Collections.Generic.List[object]]::new()
        Sections = [Collections.Generic.List[string]]::new()
    }
    $lines = @((Get-Content -LiteralPath $Path -Encoding utf8) -replace "`r", '')
    if ($lines.Count -and $lines[0].Trim() -eq '---') {
        $end = [Array]::IndexOf($lines, '---', 1)
        # 'online version:' is the address Get-Help -Online opens
        foreach ($meta in $lines[1..([Math]::Max(1, $end - 1))]) {
            if ($meta -match '^online version:\s*(\S+)\s*$') { $page.OnlineVersion = $Matches[1] }
        }
        $lines = if ($end -gt 0 -and $end -lt $lines.Count - 1) { $lines[($end + 1)..($lines.Count - 1)] } else { @() }
    }

    $section = $null; $sub = $null; $inFence = $false
    $buffer = [Collections.Generic.List[string]]::new()
    $flush = {
        $text = ($buffer -join "`n").Trim("`n", ' '); $buffer.Clear()
        if (-not $section) { return }
        switch ($section) {
            'SYNOPSIS' { $page.Synopsis = $text }
            'DESCRIPTION' { $page.Description = if ($sub) { ($page.Description, "### $sub", $text) -join "`n`n" } else { $text } }
            'NOTES' { $page.Notes = if ($sub) { ($page.Notes, "### $sub", $text) -join "`n`n" } else { $text } }
            'EXAMPLES' {
                if ($sub) {
                    $m = [regex]::Match($text, '(?s)^(.*?)(?:```|~~~)[^\n]*\n(.*?)\n\s*(?:```|~~~)[ \t]*(?:\n(.*))?$')
                    if ($m.Success) {
                        $remarks = (@($m.Groups[1].Value.Trim(), $m.Groups[3].Value.Trim()) | Where-Object { $_ }) -join "`n`n"
                        $page.Examples.Add([pscustomobject]@{ Title = $sub; Code = $m.Groups[2].Value; Remarks = $remarks })
                    } else {
                        $page.Examples.Add([pscustomobject]@{ Title = $sub; Code = ''; Remarks = $text })
                    }
                }
            }
            'PARAMETERS' {
                if ($sub) {
                    $name = $sub.Trim().TrimStart('-')
                    $page.Parameters[$name] = [pscustomobject]@{
                        Name = $name
                        Text = ([regex]::Replace($text, '(?s)```ya?ml\s*\n.*?\n\s*```', '')).Trim()
                        Yaml = Read-ParameterYaml $text
                    }
                }
            }
            { $_ -in 'INPUTS', 'OUTPUTS' } {
                $entry = if ($sub) { [pscustomobject]@{ Type = (ConvertTo-PlainInline $sub.Trim()); Text = $text } }
                elseif ($text) { [pscustomobject]@{ Type = (ConvertTo-PlainInline (($text -split "`n")[0].Trim())); Text = (($text -split "`n", 2) | Select-Object -Skip 1) -join '' } }
                if ($entry -and $section -eq 'INPUTS') { $page.Inputs.Add($entry) } elseif ($entry) { $page.Outputs.Add($entry) }
            }
            'RELATED LINKS' {
                foreach ($l in $text -split "`n") {
                    $m = [regex]::Match($l, '\[([^\]]+)\]\(([^)]*)\)')
                    if ($m.Success) { $page.Links.Add([pscustomobject]@{ Text = $m.Groups[1].Value.Trim(); Uri = $m.Groups[2].Value.Trim() }) }
                }
            }
        }
    }
    foreach ($line in $lines) {
        if ($line -match $script:Fence) { $inFence = -not $inFence }
        if (-not $inFence) {
            if ($line -match '^#\s+(.+)$') { & $flush; $page.Name = $Matches[1].Trim(); $section = $null; continue }
            if ($line -match '^##\s+(.+)$') {
                & $flush; $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null
                $page.Sections.Add($section); continue
            }
            if ($line -match '^###\s+(.+)$') { & $flush; $sub = $Matches[1].Trim(); continue }
        }
        $buffer.Add($line)
    }
    & $flush
    [pscustomobject]$page
}

function Format-Wrapped([string] $Text, [int] $Indent, [int] $Width = 80, [int] $HangingIndent = $Indent) {
    $words = @($Text -split '\s+' | Where-Object { $_ })
    $lines = [Collections.Generic.List[string]]::new()
    $current = ' ' * $Indent
    $start = $true
    foreach ($word in $words) {
        if (-not $start -and ($current.Length + 1 + $word.Length) -gt $Width) { $lines.Add($current.TrimEnd()); $current = (' ' * $HangingIndent) + $word }
        elseif ($start) { $current += $word; $start = $false }
        else { $current += ' ' + $word }
    }
    if (-not $start) { $lines.Add($current.TrimEnd()) }
    $lines -join "`n"
}

<#
The about topic as the plain text Get-Help prints: 'TOPIC' and the name first, '## Heading' in capitals at
the margin, '### Heading' indented, prose wrapped at 80 columns under a four-space indent, lists with a
hanging indent, code and tables kept line for line.
#>
function ConvertTo-AboutTopicText {
    param([Parameter(Mandatory)] [string] $Markdown)
    $out = [Collections.Generic.List[string]]::new()
    $lines = @(($Markdown -replace "`r", '') -split "`n")
    $body = [Collections.Generic.List[string]]::new()
    $inFence = $false
    $flushBody = {
        if (-not $body.Count) { return }
        foreach ($p in (ConvertTo-HelpParagraph ($body -join "`n") -CodeIndent 4)) {
            if ($p -match '^( *)(-|\d+[.)]) ' -and $p -notmatch '^ {4}') {
                foreach ($item in $p -split "`n") {
                    $null = $item -match '^( *)(\S+) '
                    $lead = 4 + $Matches[1].Length
                    $out.Add((Format-Wrapped $item.Trim() $lead 80 ($lead + $Matches[2].Length + 1)))
                }
            } elseif ($p.Contains("`n") -or $p.StartsWith('    ')) {
                $out.Add((($p -split "`n" | ForEach-Object { if ($_) { '    ' + $_ } else { '' } }) -join "`n"))
            } else {
                $out.Add((Format-Wrapped $p 4))
            }
            $out.Add('')
        }
        $body.Clear()
    }
    foreach ($line in $lines) {
        if ($line -match $script:Fence) { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^(#{1,3})\s+(.+)$') {
            & $flushBody
            $level = $Matches[1].Length; $title = ConvertTo-PlainInline $Matches[2].Trim()
            switch ($level) {
                1 { $out.Add('TOPIC'); $out.Add("    $title"); $out.Add('') }
                2 { $out.Add($title.ToUpperInvariant()); }
                3 { $out.Add("  $title"); }
            }
            continue
        }
        $body.Add($line)
    }
    & $flushBody
    (($out -join "`n") -replace "\n{3,}", "`n`n").TrimEnd() + "`n"
}

Export-ModuleMember -Function Read-CmdletHelpPage, ConvertTo-HelpParagraph, ConvertTo-PlainInline, ConvertTo-AboutTopicText
