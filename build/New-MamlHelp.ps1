<#
.SYNOPSIS
    Writes the module's MAML help (<dll>-Help.xml) and about_AltinnApp.help.txt from docs/.
.DESCRIPTION
    Uses PlatyPS when it is installed; otherwise this converter, which reads PlatyPS-style markdown
    (front matter, '# Name', '## SYNOPSIS', '## DESCRIPTION', '## EXAMPLES' with '### Example' + a fenced
    block + remarks, '## PARAMETERS' with '### -Name', '## INPUTS', '## OUTPUTS', '## NOTES',
    '## RELATED LINKS'). The prose comes from the markdown; syntax, types, positions, mandatory flags and
    pipeline input come from the loaded cmdlets, so they cannot drift from the code.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $DocsPath,
    [string] $AboutPath,
    [string] $Culture = 'en-US'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$module = Import-Module (Resolve-Path $ModuleManifest).Path -PassThru -Force
$outDir = Join-Path $module.ModuleBase $Culture
New-Item -ItemType Directory -Force $outDir | Out-Null

if ($AboutPath -and (Test-Path $AboutPath)) {
    # about topics are plain text; drop the markdown decoration that reads badly in a console
    $text = (Get-Content -Raw $AboutPath) -replace '(?m)^```[a-z]*\s*$', '' -replace '(?m)^#+\s*', ''
    Set-Content -Path (Join-Path $outDir 'about_AltinnApp.help.txt') -Value $text -Encoding utf8
}

if (Get-Module -ListAvailable platyPS) {
    Import-Module platyPS
    New-ExternalHelp -Path $DocsPath -OutputPath $outDir -Force | Out-Null
    return
}

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

function Read-CmdletDoc([string] $Path) {
    $doc = @{ EXAMPLES = [Collections.Generic.List[hashtable]]::new(); PARAMETERS = @{}; LINKS = [Collections.Generic.List[hashtable]]::new() }
    if (-not (Test-Path $Path)) { return $doc }
    $lines = @(Get-Content $Path)
    if ($lines.Count -and $lines[0] -eq '---') {
        $end = [Array]::IndexOf($lines, '---', 1)
        $lines = $lines[($end + 1)..($lines.Count - 1)]
    }
    $section = $null; $sub = $null; $inFence = $false
    $buffer = [Collections.Generic.List[string]]::new()
    $flush = {
        $text = ($buffer -join "`n").Trim(); $buffer.Clear()
        if (-not $section) { return }
        switch ($section) {
            'EXAMPLES' {
                if ($sub) {
                    $m = [regex]::Match($text, '(?s)```[a-zA-Z]*\n(.*?)\n```\s*(.*)')
                    $doc.EXAMPLES.Add(@{ Title = $sub; Code = $m.Groups[1].Value; Remarks = $m.Groups[2].Value.Trim() })
                }
            }
            'PARAMETERS' { if ($sub) { $doc.PARAMETERS[$sub.TrimStart('-')] = ($text -replace '(?s)```yaml.*?```', '').Trim() } }
            'RELATED LINKS' {
                foreach ($l in $text -split "`n") {
                    $m = [regex]::Match($l, '\[(.+?)\]\((.*?)\)')
                    if ($m.Success) { $doc.LINKS.Add(@{ Text = $m.Groups[1].Value; Uri = $m.Groups[2].Value }) }
                }
            }
            # INPUTS and OUTPUTS keep their '### Type' headings: Write-TypeBlock splits on them, one block per type
            default {
                $heading = if ($section -in 'INPUTS', 'OUTPUTS') { "### $sub" } else { $sub }
                if (-not $sub) { $doc[$section] = $text } else { $doc[$section] = (($doc[$section], "$heading`n$text") -join "`n`n").Trim() }
            }
        }
    }
    foreach ($line in $lines) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^## (.+)$') { & $flush; $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null; continue }
        if (-not $inFence -and $line -match '^### (.+)$') { & $flush; $sub = $Matches[1].Trim(); continue }
        if (-not $inFence -and $line -match '^# ') { continue }
        $buffer.Add($line)
    }
    & $flush
    $doc
}

function Write-Paras($w, [string] $Text) {
    $paras = @(($Text -split "\n\s*\n") | Where-Object { $_.Trim() })
    if (-not $paras) { $w.WriteElementString('maml', 'para', $ns.maml, ''); return }
    foreach ($p in $paras) { $w.WriteElementString('maml', 'para', $ns.maml, (($p -split "`n") -join ' ').Trim()) }
}

function Write-TypeBlock($w, [string] $Outer, [string] $Inner, [string] $Text) {
    $w.WriteStartElement('command', $Outer, $ns.command)
    $blocks = @([regex]::Split($Text, '(?m)^### ') | Where-Object { $_.Trim() })
    if (-not $blocks) { $blocks = @('None') }
    foreach ($block in $blocks) {
        $first, $rest = $block -split "`n", 2
        $w.WriteStartElement('command', $Inner, $ns.command)
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, $first.Trim()); $w.WriteEndElement()
        $w.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $w ([string]$rest); $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
}

$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$cmdlets = Get-Command -Module $module.Name -CommandType Cmdlet
$missing = [Collections.Generic.List[string]]::new()
foreach ($group in $cmdlets | Group-Object { [IO.Path]::GetFileName($_.ImplementingType.Assembly.Location) }) {
    $file = Join-Path $outDir "$($group.Name)-Help.xml"
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $w = [System.Xml.XmlWriter]::Create($file, $settings)
    $w.WriteStartDocument(); $w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
    foreach ($c in $group.Group | Sort-Object Name) {
        $mdPath = Join-Path $DocsPath "$($c.Name).md"
        if (-not (Test-Path $mdPath)) { $missing.Add($c.Name) }
        $d = Read-CmdletDoc $mdPath
        $w.WriteStartElement('command', 'command', $ns.command)
        foreach ($k in 'maml', 'dev') { $w.WriteAttributeString('xmlns', $k, $null, $ns[$k]) }
        $w.WriteStartElement('command', 'details', $ns.command)
        $w.WriteElementString('command', 'name', $ns.command, $c.Name)
        $w.WriteElementString('command', 'verb', $ns.command, $c.Verb)
        $w.WriteElementString('command', 'noun', $ns.command, $c.Noun)
        $w.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $w ([string]$d['SYNOPSIS']); $w.WriteEndElement()
        $w.WriteEndElement()
        $w.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $w ([string]$d['DESCRIPTION']); $w.WriteEndElement()

        $pipeText = {
            param($a)
            if ($a.ValueFromPipeline -and $a.ValueFromPipelineByPropertyName) { 'True (ByValue, ByPropertyName)' }
            elseif ($a.ValueFromPipeline) { 'True (ByValue)' }
            elseif ($a.ValueFromPipelineByPropertyName) { 'True (ByPropertyName)' }
            else { 'False' }
        }
        $writeParam = {
            param($p, [string] $position, [bool] $mandatory, [string] $pipeline, [bool] $withText)
            $w.WriteStartElement('command', 'parameter', $ns.command)
            $w.WriteAttributeString('required', $mandatory.ToString().ToLowerInvariant())
            $w.WriteAttributeString('position', $position)
            $w.WriteAttributeString('pipelineInput', $pipeline)
            $w.WriteAttributeString('globbing', 'false')
            $w.WriteAttributeString('variableLength', 'true')
            $w.WriteAttributeString('aliases', $(if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }))
            $w.WriteElementString('maml', 'name', $ns.maml, $p.Name)
            if ($withText) { $w.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $w ([string]$d.PARAMETERS[$p.Name]); $w.WriteEndElement() }
            if ($p.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                $w.WriteStartElement('command', 'parameterValue', $ns.command); $w.WriteAttributeString('required', 'true')
                $w.WriteString($p.ParameterType.Name); $w.WriteEndElement()
            }
            $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, $p.ParameterType.FullName); $w.WriteEndElement()
            $w.WriteEndElement()
        }

        $w.WriteStartElement('command', 'syntax', $ns.command)
        foreach ($set in $c.ParameterSets) {
            $w.WriteStartElement('command', 'syntaxItem', $ns.command); $w.WriteElementString('maml', 'name', $ns.maml, $c.Name)
            foreach ($sp in $set.Parameters | Where-Object Name -notin $common) {
                $pos = if ($sp.Position -ge 0) { [string]$sp.Position } else { 'named' }
                & $writeParam $c.Parameters[$sp.Name] $pos $sp.IsMandatory (& $pipeText $sp) $false
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'parameters', $ns.command)
        foreach ($p in $c.Parameters.Values | Where-Object Name -notin $common | Sort-Object Name) {
            $attrs = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
            $first = $attrs | Select-Object -First 1
            $pos = if ($first.Position -ge 0) { [string]$first.Position } else { 'named' }
            $mandatory = [bool]($attrs | Where-Object Mandatory)
            & $writeParam $p $pos $mandatory (& $pipeText $first) $true
        }
        $w.WriteEndElement()

        Write-TypeBlock $w 'inputTypes' 'inputType' ([string]$d['INPUTS'])
        Write-TypeBlock $w 'returnValues' 'returnValue' ([string]$d['OUTPUTS'])
        if ($d['NOTES']) {
            $w.WriteStartElement('maml', 'alertSet', $ns.maml); $w.WriteStartElement('maml', 'alert', $ns.maml)
            Write-Paras $w ([string]$d['NOTES'])
            $w.WriteEndElement(); $w.WriteEndElement()
        }

        $w.WriteStartElement('command', 'examples', $ns.command)
        foreach ($ex in $d.EXAMPLES) {
            $w.WriteStartElement('command', 'example', $ns.command)
            $w.WriteElementString('maml', 'title', $ns.maml, "-------------------------- $($ex.Title) --------------------------")
            $w.WriteElementString('dev', 'code', $ns.dev, $ex.Code)
            $w.WriteStartElement('dev', 'remarks', $ns.dev); Write-Paras $w $ex.Remarks; $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'relatedLinks', $ns.command)
        foreach ($link in $d.LINKS) {
            $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
            $w.WriteElementString('maml', 'linkText', $ns.maml, $link.Text)
            $w.WriteElementString('maml', 'uri', $ns.maml, $link.Uri)
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement(); $w.WriteEndDocument(); $w.Dispose()
    Write-Host "wrote $file ($($group.Count) cmdlets)"
}
if ($missing.Count) { Write-Warning "No help page in docs/cmdlets for: $($missing -join ', ')" }
