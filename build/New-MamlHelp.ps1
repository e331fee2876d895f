<#
.SYNOPSIS
    Writes the module's MAML help (<dll>-Help.xml) and about_AltinnApp.help.txt from docs/.
.DESCRIPTION
    Uses PlatyPS for the cmdlet pages when it is installed; otherwise this converter, which reads
    PlatyPS-style markdown through build/HelpMarkdown.psm1 (front matter, '# Name', '## SYNOPSIS',
    '## DESCRIPTION', '## EXAMPLES' with '### Example N: title' + a fenced block + remarks, '## PARAMETERS'
    with '### -Name', '## INPUTS' and '## OUTPUTS' with '### TypeName', '## NOTES', '## RELATED LINKS').
    The prose comes from the markdown; syntax, types, positions, mandatory flags, aliases and pipeline
    input come from the loaded cmdlets, so they cannot drift from the code. The about topic is always
    converted here (PlatyPS has no converter for it that runs without its own markdown dialect).
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
Import-Module (Join-Path $PSScriptRoot 'HelpMarkdown.psm1') -Force
$module = Import-Module (Resolve-Path $ModuleManifest).Path -PassThru -Force
$outDir = Join-Path $module.ModuleBase $Culture
New-Item -ItemType Directory -Force $outDir | Out-Null

if ($AboutPath -and -not (Test-Path $AboutPath)) { Write-Warning "No about topic at $AboutPath." }
elseif ($AboutPath) {
    $about = ConvertTo-AboutTopicText -Markdown (Get-Content -Raw -Encoding utf8 $AboutPath)
    $aboutFile = Join-Path $outDir ("{0}.help.txt" -f [IO.Path]::GetFileNameWithoutExtension($AboutPath))
    # with a byte order mark: Windows PowerShell 5.1 then reads any non-ASCII letter right too
    [IO.File]::WriteAllText($aboutFile, $about, [Text.UTF8Encoding]::new($true))
    Write-Host "wrote $aboutFile"
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

function Write-Paras($w, [string] $Markdown) {
    $paras = @(ConvertTo-HelpParagraph $Markdown)
    if (-not $paras) { $w.WriteElementString('maml', 'para', $ns.maml, ''); return }
    foreach ($p in $paras) { $w.WriteElementString('maml', 'para', $ns.maml, $p) }
}

function Write-Description($w, [string] $Markdown) {
    $w.WriteStartElement('maml', 'description', $ns.maml); Write-Paras $w $Markdown; $w.WriteEndElement()
}

# What Get-Help prints for a type: String, String[], Nullable<Int32> as Int32, generic arguments spelled out.
function Get-TypeDisplayName([Type] $Type) {
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($underlying) { return Get-TypeDisplayName $underlying }
    if ($Type.IsArray) { return (Get-TypeDisplayName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $name = $Type.Name.Substring(0, $Type.Name.IndexOf('`'))
        return '{0}[{1}]' -f $name, (($Type.GetGenericArguments() | ForEach-Object { Get-TypeDisplayName $_ }) -join ',')
    }
    $Type.Name
}

function Write-TypeList($w, [string] $Outer, [string] $Inner, $Entries) {
    $w.WriteStartElement('command', $Outer, $ns.command)
    $list = @($Entries)
    if (-not $list.Count) { $list = @([pscustomobject]@{ Type = 'None'; Text = '' }) }
    foreach ($entry in $list) {
        $w.WriteStartElement('command', $Inner, $ns.command)
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, $entry.Type); $w.WriteEndElement()
        Write-Description $w $entry.Text
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
}

# ---- Example 1: title ---- sized so the line, indented by Get-Help, fits an 80-column console
function Format-ExampleTitle([string] $Title) {
    $dashes = [math]::Max(3, [math]::Floor((74 - $Title.Length - 2) / 2))
    $bar = '-' * $dashes
    "$bar $Title $bar"
}

$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$cmdlets = @(Get-Command -Module $module.Name -CommandType Cmdlet)
$missing = [Collections.Generic.List[string]]::new()
foreach ($group in $cmdlets | Group-Object { [IO.Path]::GetFileName($_.ImplementingType.Assembly.Location) }) {
    $file = Join-Path $outDir "$($group.Name)-Help.xml"
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $w = [System.Xml.XmlWriter]::Create($file, $settings)
    $w.WriteStartDocument(); $w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
    foreach ($c in $group.Group | Sort-Object Name) {
        $mdPath = Join-Path $DocsPath "$($c.Name).md"
        # no page, no entry: Get-Help then shows the syntax it generates itself, not an empty help object
        if (-not (Test-Path $mdPath)) { $missing.Add($c.Name); continue }
        $d = Read-CmdletHelpPage -Path $mdPath

        $w.WriteStartElement('command', 'command', $ns.command)
        foreach ($k in 'maml', 'dev') { $w.WriteAttributeString('xmlns', $k, $null, $ns[$k]) }
        $w.WriteStartElement('command', 'details', $ns.command)
        $w.WriteElementString('command', 'name', $ns.command, $c.Name)
        $w.WriteElementString('command', 'verb', $ns.command, $c.Verb)
        $w.WriteElementString('command', 'noun', $ns.command, $c.Noun)
        Write-Description $w $d.Synopsis
        $w.WriteEndElement()
        Write-Description $w $d.Description

        # the values a new cmdlet object starts with are its parameters' defaults (TimeoutSec = 100, ...);
        # a type's own zero, empty or null means 'none given'
        $defaults = @{}
        try {
            $instance = [Activator]::CreateInstance($c.ImplementingType)
            foreach ($p in $c.Parameters.Values) {
                $property = $c.ImplementingType.GetProperty($p.Name)
                if (-not $property -or -not $property.CanRead) { continue }
                $value = $property.GetValue($instance)
                $type = $property.PropertyType
                $zero = if ($type.IsValueType) { [Activator]::CreateInstance($type) } else { $null }
                if ($null -ne $value -and -not $value.Equals($zero) -and "$value" -ne '') { $defaults[$p.Name] = "$value" }
            }
        } catch {
            Write-Verbose "No defaults read from $($c.Name): $($_.Exception.Message)"
        }

        $pipeText = {
            param($a)
            if ($a.ValueFromPipeline -and $a.ValueFromPipelineByPropertyName) { 'True (ByValue, ByPropertyName)' }
            elseif ($a.ValueFromPipeline) { 'True (ByValue)' }
            elseif ($a.ValueFromPipelineByPropertyName) { 'True (ByPropertyName)' }
            else { 'False' }
        }
        $writeParam = {
            param($p, [string] $position, [bool] $mandatory, [string] $pipeline, [bool] $withText)
            $doc = if ($d.Parameters.Contains($p.Name)) { $d.Parameters[$p.Name] } else { $null }
            $yaml = if ($doc) { $doc.Yaml } else { @{} }
            $w.WriteStartElement('command', 'parameter', $ns.command)
            $w.WriteAttributeString('required', $mandatory.ToString().ToLowerInvariant())
            $w.WriteAttributeString('position', $position)
            $w.WriteAttributeString('pipelineInput', $pipeline)
            $wildcards = $yaml['Accept wildcard characters'] -eq 'True' -or ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $w.WriteAttributeString('globbing', $(if ($wildcards) { 'true' } else { 'false' }))
            $w.WriteAttributeString('variableLength', 'true')
            $w.WriteAttributeString('aliases', $(if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }))
            $w.WriteElementString('maml', 'name', $ns.maml, $p.Name)
            if ($withText) { Write-Description $w $(if ($doc) { $doc.Text } else { '' }) }
            $isSwitch = $p.ParameterType -eq [System.Management.Automation.SwitchParameter]
            if (-not $isSwitch) {
                $w.WriteStartElement('command', 'parameterValue', $ns.command); $w.WriteAttributeString('required', 'true')
                $w.WriteAttributeString('variableLength', 'false')
                $w.WriteString((Get-TypeDisplayName $p.ParameterType)); $w.WriteEndElement()
            }
            $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('maml', 'name', $ns.maml, $p.ParameterType.FullName); $w.WriteEndElement()
            if ($withText) {
                $default = if ($yaml['Default value']) { $yaml['Default value'] }
                elseif ($isSwitch) { 'False' }
                elseif ($null -ne $defaults[$p.Name]) { $defaults[$p.Name] }
                else { 'None' }
                $w.WriteElementString('dev', 'defaultValue', $ns.dev, $default)
            }
            $w.WriteEndElement()
        }

        $w.WriteStartElement('command', 'syntax', $ns.command)
        foreach ($set in $c.ParameterSets) {
            $w.WriteStartElement('command', 'syntaxItem', $ns.command); $w.WriteElementString('maml', 'name', $ns.maml, $c.Name)
            # positional first (by position), then mandatory, then the rest, each in declaration order: the order
            # Get-Command -Syntax uses (Sort-Object is not stable, hence the index as the last key)
            $index = 0
            $ordered = $set.Parameters | Where-Object Name -notin $common | ForEach-Object { [pscustomobject]@{ P = $_; I = $index++ } } |
                Sort-Object @{ E = { if ($_.P.Position -ge 0) { 0 } else { 1 } } }, @{ E = { if ($_.P.Position -ge 0) { $_.P.Position } else { 0 } } }, @{ E = { -not $_.P.IsMandatory } }, I |
                ForEach-Object P
            foreach ($sp in $ordered) {
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
            # required only when every parameter set that has it makes it mandatory; the syntax shows each set
            $mandatory = [bool]($attrs.Count -and -not ($attrs | Where-Object { -not $_.Mandatory }))
            $pipe = $attrs | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } | Select-Object -First 1
            & $writeParam $p $pos $mandatory (& $pipeText $(if ($pipe) { $pipe } else { $first })) $true
        }
        $w.WriteEndElement()

        Write-TypeList $w 'inputTypes' 'inputType' $d.Inputs
        Write-TypeList $w 'returnValues' 'returnValue' $d.Outputs
        if ($d.Notes) {
            $w.WriteStartElement('maml', 'alertSet', $ns.maml); $w.WriteStartElement('maml', 'alert', $ns.maml)
            Write-Paras $w $d.Notes
            $w.WriteEndElement(); $w.WriteEndElement()
        }

        $w.WriteStartElement('command', 'examples', $ns.command)
        foreach ($ex in $d.Examples) {
            $w.WriteStartElement('command', 'example', $ns.command)
            $w.WriteElementString('maml', 'title', $ns.maml, (Format-ExampleTitle $ex.Title))
            $w.WriteElementString('dev', 'code', $ns.dev, $ex.Code)
            # the empty paragraph at the end: a blank line before the next example's title
            $w.WriteStartElement('dev', 'remarks', $ns.dev); Write-Paras $w $ex.Remarks; $w.WriteElementString('maml', 'para', $ns.maml, ''); $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'relatedLinks', $ns.command)
        # Get-Help -Online opens the first related link with an address: the page's own, as PlatyPS writes it
        if ($d.OnlineVersion -match '^https?://') {
            $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
            $w.WriteElementString('maml', 'linkText', $ns.maml, 'Online Version:')
            $w.WriteElementString('maml', 'uri', $ns.maml, $d.OnlineVersion)
            $w.WriteEndElement()
        }
        foreach ($link in $d.Links) {
            $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
            $w.WriteElementString('maml', 'linkText', $ns.maml, $link.Text)
            # only an absolute address means anything outside the repository (Get-Help -Online opens it)
            $w.WriteElementString('maml', 'uri', $ns.maml, $(if ($link.Uri -match '^https?://') { $link.Uri } else { '' }))
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement(); $w.WriteEndDocument(); $w.Dispose()
    Write-Host "wrote $file ($($group.Count) cmdlets)"
}
if ($missing.Count) { Write-Warning "No help page in $DocsPath for: $($missing -join ', ')" }
