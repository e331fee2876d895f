# Reads the fenced powershell blocks of a markdown file, for DocExamples.Tests.ps1.

# every fenced powershell block of a markdown file, without the fence's indentation, with the line it starts on
function Get-PowerShellBlock([string] $Path) {
    $lines = @((Get-Content -LiteralPath $Path -Encoding utf8) -replace "`r", '')
    $blocks = @(); $current = $null; $indent = 0; $start = 0
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($null -eq $current -and $line -match '^(\s*)```powershell\s*$') { $current = @(); $indent = $Matches[1].Length; $start = $i + 1; continue }
        if ($null -ne $current -and $line -match '^\s*```\s*$') {
            $code = ($current -join "`n")
            $blocks += @{ Line = $start; Code = $code; Runs = -not ($current.Count -and $current[0] -match '^#\s*not run in tests:') }
            $current = $null; continue
        }
        if ($null -ne $current) { $current += $(if ($line.Length -ge $indent -and $line.Substring(0, $indent).Trim() -eq '') { $line.Substring($indent) } else { $line.TrimStart() }) }
    }
    $blocks
}


Export-ModuleMember -Function Get-PowerShellBlock
