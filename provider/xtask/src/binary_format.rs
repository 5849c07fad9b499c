//! Checking that a built executable is the right format for the platform it is packaged for: an ELF file for the
//! right machine on Linux and the BSDs, a PE image for the right machine on Windows, a Mach-O file on macOS. A
//! cross build that silently produced a host binary (a wrong `--target`, a linker that ignored it) would otherwise
//! be zipped under another platform's name and fail only on a user's machine.

use crate::package::Platform;

/// The executable format and machine a file's header declares, in words (`ELF x86-64`, `PE AArch64`).
///
/// # Errors
/// When the header is none of ELF, PE or Mach-O, or is cut short.
pub fn describe(bytes: &[u8]) -> Result<String, String> {
    let (format, machine) = identify(bytes)?;
    Ok(format!("{format} {}", machine_name(machine)))
}

/// Checks that `bytes` is an executable for `platform`.
///
/// # Errors
/// With what the file is and what was expected, when they differ.
pub fn check(bytes: &[u8], platform: &Platform) -> Result<(), String> {
    let expected_format = match platform.os.as_str() {
        "windows" => Format::Pe,
        "darwin" => Format::MachO,
        _ => Format::Elf,
    };
    let expected_machine = match platform.arch.as_str() {
        "amd64" => Machine::X86_64,
        "arm64" => Machine::Aarch64,
        "386" => Machine::X86,
        "arm" => Machine::Arm,
        other => return Err(format!("no executable format check for the architecture {other}")),
    };
    let (format, machine) = identify(bytes)?;
    if format == expected_format && machine == expected_machine {
        Ok(())
    } else {
        Err(format!(
            "the binary for {platform} is {format} {}, expected {expected_format} {}",
            machine_name(machine),
            machine_name(expected_machine)
        ))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Elf,
    Pe,
    MachO,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Elf => "ELF",
            Format::Pe => "PE",
            Format::MachO => "Mach-O",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Machine {
    X86_64,
    Aarch64,
    X86,
    Arm,
    /// A machine code this check has no name for, with the raw number.
    Other(u32),
}

fn machine_name(machine: Machine) -> String {
    match machine {
        Machine::X86_64 => "x86-64".to_owned(),
        Machine::Aarch64 => "AArch64".to_owned(),
        Machine::X86 => "x86".to_owned(),
        Machine::Arm => "ARM".to_owned(),
        Machine::Other(code) => format!("machine {code:#x}"),
    }
}

fn identify(bytes: &[u8]) -> Result<(Format, Machine), String> {
    let too_short = || "the file is too short to be an executable".to_owned();
    if bytes.starts_with(b"\x7fELF") {
        // e_ident[EI_DATA] says the byte order; e_machine is the 16-bit field at offset 18.
        let little_endian = match bytes.get(5) {
            Some(1) => true,
            Some(2) => false,
            _ => return Err("an ELF file with an unknown byte order".to_owned()),
        };
        let raw: [u8; 2] = bytes.get(18..20).ok_or_else(too_short)?.try_into().map_err(|_| too_short())?;
        let code = if little_endian { u16::from_le_bytes(raw) } else { u16::from_be_bytes(raw) };
        let machine = match code {
            62 => Machine::X86_64,
            183 => Machine::Aarch64,
            3 => Machine::X86,
            40 => Machine::Arm,
            other => Machine::Other(u32::from(other)),
        };
        return Ok((Format::Elf, machine));
    }
    if bytes.starts_with(b"MZ") {
        // The DOS header's e_lfanew (offset 0x3c) points at the "PE\0\0" signature; the COFF header's Machine field
        // follows it.
        let raw: [u8; 4] = bytes.get(0x3c..0x40).ok_or_else(too_short)?.try_into().map_err(|_| too_short())?;
        let offset = usize::try_from(u32::from_le_bytes(raw)).map_err(|_| too_short())?;
        if bytes.get(offset..offset + 4) != Some(b"PE\0\0".as_slice()) {
            return Err("an MZ file without a PE signature (not a Windows executable)".to_owned());
        }
        let raw: [u8; 2] =
            bytes.get(offset + 4..offset + 6).ok_or_else(too_short)?.try_into().map_err(|_| too_short())?;
        let machine = match u16::from_le_bytes(raw) {
            0x8664 => Machine::X86_64,
            0xaa64 => Machine::Aarch64,
            0x014c => Machine::X86,
            0x01c4 => Machine::Arm,
            other => Machine::Other(u32::from(other)),
        };
        return Ok((Format::Pe, machine));
    }
    // 64-bit Mach-O, little-endian (every Mac Rust targets): magic 0xfeedfacf, then cputype.
    if bytes.starts_with(&[0xcf, 0xfa, 0xed, 0xfe]) {
        let raw: [u8; 4] = bytes.get(4..8).ok_or_else(too_short)?.try_into().map_err(|_| too_short())?;
        let machine = match u32::from_le_bytes(raw) {
            0x0100_0007 => Machine::X86_64,
            0x0100_000c => Machine::Aarch64,
            other => Machine::Other(other),
        };
        return Ok((Format::MachO, machine));
    }
    Err("not an executable: neither ELF, PE nor 64-bit Mach-O".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(name: &str) -> Platform {
        let (os, arch) = name.split_once('_').expect("os_arch");
        Platform { os: os.to_owned(), arch: arch.to_owned() }
    }

    /// The first bytes of a little-endian 64-bit ELF file for `machine`, as a linker writes them.
    fn elf(machine: u16) -> Vec<u8> {
        let mut header = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
        header.resize(16, 0);
        header.extend_from_slice(&2u16.to_le_bytes()); // e_type: ET_EXEC
        header.extend_from_slice(&machine.to_le_bytes());
        header.resize(64, 0);
        header
    }

    /// A DOS stub whose e_lfanew points at a PE header for `machine`.
    fn pe(machine: u16) -> Vec<u8> {
        let mut image = vec![0u8; 0x80];
        image[0..2].copy_from_slice(b"MZ");
        image[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        image.extend_from_slice(b"PE\0\0");
        image.extend_from_slice(&machine.to_le_bytes());
        image.resize(0x100, 0);
        image
    }

    fn macho(cputype: u32) -> Vec<u8> {
        let mut header = vec![0xcf, 0xfa, 0xed, 0xfe];
        header.extend_from_slice(&cputype.to_le_bytes());
        header.resize(32, 0);
        header
    }

    #[test]
    fn each_platform_accepts_its_own_format_and_machine() {
        assert_eq!(check(&elf(62), &platform("linux_amd64")), Ok(()));
        assert_eq!(check(&elf(183), &platform("linux_arm64")), Ok(()));
        assert_eq!(check(&pe(0x8664), &platform("windows_amd64")), Ok(()));
        assert_eq!(check(&pe(0xaa64), &platform("windows_arm64")), Ok(()));
        assert_eq!(check(&macho(0x0100_0007), &platform("darwin_amd64")), Ok(()));
        assert_eq!(check(&macho(0x0100_000c), &platform("darwin_arm64")), Ok(()));
    }

    #[test]
    fn a_wrong_machine_or_format_is_named_in_the_error() {
        assert_eq!(
            check(&elf(62), &platform("linux_arm64")),
            Err("the binary for linux_arm64 is ELF x86-64, expected ELF AArch64".to_owned())
        );
        assert_eq!(
            check(&elf(62), &platform("windows_amd64")),
            Err("the binary for windows_amd64 is ELF x86-64, expected PE x86-64".to_owned())
        );
        assert_eq!(
            check(&pe(0x8664), &platform("linux_amd64")),
            Err("the binary for linux_amd64 is PE x86-64, expected ELF x86-64".to_owned())
        );
        assert!(check(&elf(0xf3), &platform("linux_amd64")).expect_err("RISC-V").contains("machine 0xf3"));
        assert!(check(b"#!/bin/sh\necho hi\n", &platform("linux_amd64")).is_err());
        assert!(check(b"\x7fELF", &platform("linux_amd64")).is_err(), "a header cut short");
        let mut no_pe = pe(0x8664);
        no_pe[0x80] = b'X';
        assert!(check(&no_pe, &platform("windows_amd64")).expect_err("MZ only").contains("PE signature"));
    }

    #[test]
    fn the_test_binary_itself_is_recognised() {
        // This test's own executable is a real binary for this machine, made by the real linker.
        let bytes = std::fs::read(std::env::current_exe().expect("current exe")).expect("read self");
        let host = Platform::host().expect("host platform");
        assert_eq!(check(&bytes, &host), Ok(()), "{}", describe(&bytes).unwrap_or_default());
    }
}
